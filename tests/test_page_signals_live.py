"""Page signals on live pages set with ``page.set_content`` (no network)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page

from cancelscout.browser.page_signals import (
    TRANSITION_MAX_MS,
    content_pending,
    transitions_done,
)

TABS = (
    '<div role="tablist"><button role="tab">A</button><button role="tab">B</button></div>'
    '<div role="tabpanel" id="p1" {p1}>{one}</div><div role="tabpanel" id="p2" {p2}>{two}</div>'
)


@pytest.mark.parametrize(
    ("html", "pending"),
    [
        # the tab on show holds no control yet: its content is still to come
        (TABS.format(p1="hidden", one="<a href='/x'>x</a>", p2="", two="<div>…</div>"), True),
        # the empty panel is hidden: what is on show is complete
        (TABS.format(p1="", one="<a href='/x'>x</a>", p2="hidden", two=""), False),
        # a region that says it is busy
        ('<main aria-busy="true"><p>Loading</p></main>', True),
        ('<main aria-busy="false"><a href="/a">a</a></main>', False),
        ("<main><p>Nothing to do here</p></main>", False),
    ],
)
def test_content_pending_reads_structure(page: Page, html: str, pending: bool) -> None:
    page.set_content(html)
    assert content_pending(page) is pending


MENU = (
    "<style>#m{opacity:0;transition:opacity 400ms linear}#t:hover #m{opacity:1}"
    "#spin{animation:r 1s linear infinite}@keyframes r{to{transform:rotate(1turn)}}</style>"
    '<div id="t">我的<div id="m"><a href="/vip">会员管理</a></div></div><div id="spin">⟳</div>'
)


def test_transitions_done_waits_for_the_menu_and_not_for_spinners(page: Page) -> None:
    page.set_content(MENU)
    page.hover("#t")
    started = time.monotonic()
    transitions_done(page)
    waited = time.monotonic() - started
    assert page.evaluate("getComputedStyle(document.getElementById('m')).opacity") == "1"
    assert waited < TRANSITION_MAX_MS / 1000  # the endless spinner did not hold it to the cap


SLIDE = (
    '<div id="t" onmouseenter="setTimeout(slide, 80)">我的</div>'
    '<div id="m" style="height:0;overflow:hidden"><a href="/vip">会员管理</a></div>'
    "<script>function slide(){let h=0;const s=setInterval(()=>{h+=4;"
    "document.getElementById('m').style.height=h+'px';if(h>=40)clearInterval(s)},20)}</script>"
)


def test_transitions_done_waits_for_a_timer_driven_slide_after_a_hover_delay(page: Page) -> None:
    # jQuery-style: a hover-intent delay, then the height stepped from a timer
    page.set_content(SLIDE)
    page.hover("#t")
    transitions_done(page)
    assert page.evaluate("document.getElementById('m').style.height") == "40px"
