"""The guard on live elements: what the browser reads is what is judged, and the judged
element is the clicked one. Each page is set with ``page.set_content`` (no network)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from cancelscout.browser.actions import Actions
from cancelscout.browser.policy import NetworkPolicy
from cancelscout.errors import BlockedActionError

CLICKED_JS = "() => window.__clicked || []"
RECORD = "<script>window.__clicked = [];</script>"


def actions() -> Actions:
    return Actions(NetworkPolicy(["127.0.0.1"]))


def refusal(page: Page, html: str, selector: str = "#it") -> str:
    page.set_content(RECORD + html)
    gate = actions()
    with pytest.raises(BlockedActionError) as caught:
        gate.click_element(page.locator(selector), 2000)
    assert page.evaluate(CLICKED_JS) == []  # the click never happened
    assert [b.kind for b in gate.policy.blocked] == ["click"]
    return caught.value.message


CLICK = "onclick=\"window.__clicked.push(this.id || 'x')\""


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        # spaced and zero-width labels, as Ant Design and obfuscating shops render them
        (
            f'<button id="it" type="button" {CLICK}>确 定</button>',
            "'确 定' contains never-touch word '确定'",
        ),
        (
            f'<button id="it" type="button" {CLICK}>支 付</button>',
            "contains never-touch word '支付'",
        ),
        (
            f'<a id="it" href="#x" {CLICK}>立即续\u200b费</a>',
            "contains never-touch word '立即续费'",
        ),
        # names that come from elsewhere than the element's own text
        (
            f'<a id="it" href="#x" aria-labelledby="l" {CLICK}>→</a><span id="l">立即支付</span>',
            "'立即支付' contains never-touch word '支付'",
        ),
        (
            f'<a id="it" href="#x" {CLICK}><img alt="马上续费" src="data:,"></a>',
            "'马上续费' contains never-touch word '马上续费'",
        ),
        (
            f'<input type="checkbox" id="c" hidden><label id="it" for="c" {CLICK}>同意</label>',
            "it toggles a setting",
        ),
        (
            '<form id="f" action="/buy" method="post"></form>'
            f'<button id="it" form="f" {CLICK}>好</button>',
            "it submits a form",
        ),
        # a custom div switch, off: clicking it would turn auto-renewal on
        (
            f'<div id="it" role="switch" aria-checked="false" aria-label="自动续费" {CLICK} '
            'style="width:40px;height:20px;background:#ccc"></div>',
            "it toggles a setting",
        ),
        # an icon inside a link to a pay URL: the link around it is judged
        (f'<a href="/vip/pay?plan=1"><i id="it" {CLICK}>¥</i></a>', "it opens an action URL"),
        # a bare "Cancel" in a membership card
        (
            f'<section><h3>My membership</h3><a id="it" href="#x" {CLICK}>Cancel</a></section>',
            "it says 'cancel' about the membership",
        ),
    ],
)
def test_guard_live_refuses_what_the_browser_reads(page: Page, html: str, reason: str) -> None:
    assert reason in refusal(page, html)


def test_guard_live_judges_the_element_after_the_pointer_arrives(page: Page) -> None:
    """A control that rewrites itself on mouseover is judged as rewritten."""
    html = f'<a id="it" href="#x" {CLICK} onmouseenter="this.textContent=\'立即支付\'">会员中心</a>'
    assert "contains never-touch word '支付'" in refusal(page, html)


def test_guard_live_clicks_a_safe_link(page: Page) -> None:
    page.set_content(RECORD + f'<a id="it" href="#x" {CLICK}>会员中心</a>')
    info = actions().click_element(page.locator("#it"), 2000)
    assert page.evaluate(CLICKED_JS) == ["it"]
    assert info["name"] == "会员中心"
