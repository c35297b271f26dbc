"""The keyword model reads a control with its context and its shape (no browser)."""

from __future__ import annotations

from typing import Any

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.notices import NoticeRules
from cancelscout.analysis.pages import PageReader
from cancelscout.analysis.scoring import ACCOUNT_MENU, MENU_BUTTON, KeywordModel
from cancelscout.analysis.urls import state_url

MODEL = KeywordModel()


def control(text: str, **info: Any) -> Candidate:
    base: dict[str, Any] = {"tag": "a", "role": "link", "text": text, "x": 100, "y": 400}
    return Candidate({**base, **info})


def test_scoring_generic_control_takes_the_meaning_of_its_card() -> None:
    manage = MODEL.score(control("管理", tag="button", role="button", context="自动续费"))
    assert manage.score > 20 and "context" in manage.reason
    assert MODEL.score(control("管理", tag="button", role="button", context="收货地址")).score == 0


def test_scoring_generic_cancel_in_a_renewal_row_is_the_entry() -> None:
    row = control("关闭", href="http://shop/x", rowLabel="自动续费：已开启", landmark="main")
    assert MODEL.target_word(row) == "关闭 (about the membership)"
    logout = control("退出", landmark="", rowLabel="scout | 我的 | 设置 | 消息 |")
    assert MODEL.target_word(logout) is None


def test_scoring_help_question_and_footer_links_are_never_the_entry() -> None:
    assert MODEL.target_word(control("如何取消自动续费？", landmark="main")) is None
    assert MODEL.target_word(control("取消自动续费", landmark="contentinfo")) is None
    assert MODEL.target_word(control("取消自动续费", landmark="main")) == "取消自动续费"


def test_scoring_unlabelled_switch_is_named_by_the_accessibility_tree() -> None:
    switch = control(
        "", tag="button", role="switch", checked=True, axName="Automatic renewal", landmark="main"
    )
    assert MODEL.target_word(switch) == "switch automatic renewal (on)"


def test_scoring_avatar_menu_in_the_header_is_the_way_into_the_account() -> None:
    avatar = control("scout_88 ▾", tag="button", role="button", landmark="banner", hasImg=True,
                     hasPopup=True, x=1100, vw=1280)  # fmt: skip
    assert MODEL.score(avatar).score == ACCOUNT_MENU
    catalogue_menu = control("商品分类 ▾", landmark="banner", hasPopup=True, x=200, vw=1280)
    assert MODEL.score(catalogue_menu).score < ACCOUNT_MENU
    drawer = control("☰", tag="button", role="button", landmark="banner", hasPopup=True, x=10)
    assert MODEL.score(drawer).score == MENU_BUTTON


def test_scoring_account_deletion_under_its_heading_is_an_alternative() -> None:
    assert MODEL.is_alternative(control("申请注销", tag="button", context="账号注销"))
    assert MODEL.is_alternative(control("Request deletion", context="Delete your account"))
    assert not MODEL.is_alternative(control("安全注销", landmark="banner"))  # a logout


def test_notice_rules_dismiss_a_plain_notice_only() -> None:
    rules = NoticeRules()
    notice = {"text": "公告 节假日发货延迟 我知道了", "controls": [{"text": "我知道了"}]}
    assert rules.choice(notice) is not None
    close_icon = {"text": "Notice ×", "controls": [{"text": "×", "aria": "Close"}]}
    assert rules.choice(close_icon) is not None
    confirm = {"text": "确定要关闭自动续费吗？ 关闭", "controls": [{"text": "关闭"}]}
    assert rules.choice(confirm) is None
    two_ways = {"text": "新品上架", "controls": [{"text": "去看看"}, {"text": "关闭"}]}
    assert rules.choice(two_ways) is None
    with_form = {"text": "订阅 关闭", "controls": [{"text": "关闭"}], "hasForm": True}
    assert rules.choice(with_form) is None


def test_page_reader_tells_account_pages_from_catalogues() -> None:
    reader = PageReader()
    goods = [control(f"商品 {k}", href=f"http://shop/goods/{k}.html", landmark="main")
             for k in range(10)]  # fmt: skip
    assert reader.kind("http://shop/index.html", goods).catalogue
    sidebar = [control(t, href=f"http://shop/{t}", landmark="complementary", x=20)
               for t in ("订单", "余额", "安全", "消息")]  # fmt: skip
    logout = control("退出登录", href="http://shop/logout", landmark="complementary", x=20)
    assert reader.kind("http://shop/p/7.html", [*sidebar, logout]).account
    assert not reader.kind("http://shop/p/7.html", sidebar).account
    assert reader.kind("http://shop/ucenter/index.html", []).account


def test_state_url_drops_volatile_parameters_and_empty_fragments() -> None:
    assert state_url("http://Shop/a?b=2&t=123&a=1#") == "http://shop/a?a=1&b=2"
    assert state_url("http://shop/a?utm_source=x&spm=1.2") == "http://shop/a"
    assert state_url("http://shop/app#/vip") == "http://shop/app#/vip"


def test_action_url_a_link_that_carries_an_anti_forgery_token_acts() -> None:
    from cancelscout.analysis.urls import action_in_url

    resend = "http://bbs/home.php?mod=spacecp&ac=profile&op=password&resend=1&formhash=785f87b3"
    assert action_in_url(resend) == "formhash"
    assert action_in_url("http://wp/?swpm_x=1&_wpnonce=ab12") == "_wpnonce"
    assert action_in_url("http://bbs/home.php?mod=spacecp&ac=profile&formhash=") is None
    assert action_in_url("http://bbs/home.php?mod=spacecp&ac=usergroup&gid=20") is None
