"""locate-cancel against the second fixture corpus: six (plus one) more ways shops hide the entry.

Each case is a fixture shop under ``tests/sites/<site>`` (its README documents the route and every
dangerous control) with its profile ``tests/profiles/fx-<site>.yaml``. The ``site_server``
fixture asserts on teardown that no dangerous endpoint was hit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cancelscout.demo.server import SiteServer
from cancelscout.result import LocateResult

Locate = Callable[..., LocateResult]
Login = Callable[[str, SiteServer], Path]

CORPUS_CASES = [
    # site, entry text, breadcrumb, auto-renew, entry page (suffix)
    (
        "iconbtn",
        "关闭自动续费",
        ["会员中心", "关闭自动续费"],
        "on",
        "/user/member.html",
    ),
    (
        "overflow",
        "取消自动续费",
        ["会员中心", "更多操作", "取消自动续费"],
        "on",
        "/user/vip.html",
    ),
    (
        "confirmshame",
        "不再自动续费",
        ["会员中心", "不再自动续费"],
        "on",
        "/user/vip.html",
    ),
    (
        "hamburger",
        "关闭自动续费",  # the button reads 关闭; its aria-label says what it closes
        ["菜单", "设置", "自动续费管理", "关闭自动续费"],
        "on",
        "/user/autorenew.html",
    ),
    (
        "traditional",
        "取消自動續費",
        ["會員中心", "帳戶設定", "取消自動續費"],
        "on",
        "/user/settings.html",
    ),
    (
        "english",
        "Turn off auto-renew",
        ["Account", "Billing", "Turn off auto-renew"],
        "on",
        "/user/billing.html",
    ),
    (
        "switch",
        "自动续费",
        ["账户设置", "自动续费"],
        "on",
        "/user/settings.html",
    ),
]


@pytest.mark.parametrize(
    ("site", "text", "crumbs", "renew", "page"),
    CORPUS_CASES,
    ids=[c[0] for c in CORPUS_CASES],
)
def test_corpus_profile_finds_entry(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
    site: str,
    text: str,
    crumbs: list[str],
    renew: str,
    page: str,
) -> None:
    profile_id = f"fx-{site}"
    server = site_server(site)
    session = login_session(profile_id, server)
    result = locate(profile_id, server, session)
    assert result.status == "found", result.error
    assert result.entry is not None
    assert result.entry.text == text
    assert result.breadcrumb() == crumbs
    assert result.auto_renew == renew
    assert result.entry.page_url.endswith(page)
    assert result.clicks == sum(1 for s in result.path if s.action == "click")
    assert result.blocked == []
    bundle = Path(result.bundle or "")
    for shot in (
        result.entry.screenshot,
        result.entry.full_page_screenshot,
        result.entry.crop_screenshot,
    ):
        assert shot is not None and (bundle / shot).stat().st_size > 1000
