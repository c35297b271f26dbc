"""The engine's own safety net: never-touch controls and the domain policy."""

from __future__ import annotations

import pytest

from cancelscout.browser.guard import ClickGuard
from cancelscout.browser.policy import NetworkPolicy, host_allowed


def control(text: str = "", **extra: object) -> dict[str, object]:
    return {
        "tag": "a",
        "text": text,
        "aria": None,
        "title": None,
        "value": None,
        "type": "",
        "inForm": False,
        **extra,
    }


@pytest.mark.parametrize(
    "text",
    [
        "确认取消",
        "确定",
        "立即支付",
        "立即续费",
        "立即開通",
        "購買",
        "注销账号",
        "取消订单",
        "退出登录",
        "续费",
        "Pay now",
        "Confirm",
        "RENEW",
        "关闭自动续费",
        "取消会员",
        "登出",
        "［登出］",
        "退出",
        "开通年卡",
        "Upgrade",
        "Cancel order",
        "Add funds",
        "Start membership",
        "Turn off auto-renew",
        "不再自动续费",
        "残忍关闭",
        "取消自動續費",
        "Log out",
    ],
)
def test_guard_refuses_dangerous_controls(text: str) -> None:
    assert not ClickGuard().judge(control(text)).allowed


@pytest.mark.parametrize(
    "text",
    [
        "会员中心",
        "账户设置",
        "隐私管理",
        "会员管理",
        "我的订单",
        "更多",
        "自动续费",
        "Settings",
        "Membership",
        "订阅管理",
    ],
)
def test_guard_allows_way_finding_controls(text: str) -> None:
    assert ClickGuard().judge(control(text)).allowed


def test_guard_reads_aria_label_and_title() -> None:
    assert not ClickGuard().judge(control("", aria="立即续费")).allowed
    assert not ClickGuard().judge(control("", title="支付")).allowed


def test_guard_refuses_form_submission() -> None:
    verdict = ClickGuard().judge(control("保存", tag="button", type="", inForm=True))
    assert not verdict.allowed
    assert verdict.reason == "it submits a form"
    assert ClickGuard().judge(control("菜单", tag="button", type="button", inForm=True)).allowed


def test_guard_host_patterns() -> None:
    assert host_allowed("shop.example.com", ["shop.example.com"])
    assert host_allowed("m.example.com", ["*.example.com"])
    assert host_allowed("example.com", ["*.example.com"])
    assert not host_allowed("example.com.evil.cn", ["*.example.com"])
    assert not host_allowed("pay.other.com", ["shop.example.com"])


def test_guard_domain_policy_urls() -> None:
    policy = NetworkPolicy(["127.0.0.1"])
    assert policy.allows_url("http://127.0.0.1:8000/user/")
    assert policy.allows_url("about:blank")
    assert not policy.allows_url("https://pay.example.com/checkout")


def test_guard_refuses_switches() -> None:
    verdict = ClickGuard().judge(control("", tag="button", role="switch", aria="自动续费"))
    assert not verdict.allowed
    assert verdict.reason == "it toggles a setting (a switch or checkbox)"
