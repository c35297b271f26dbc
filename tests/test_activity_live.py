"""Has a page come to rest (``browser/activity.py``): requests in flight and DOM quiet, on pages
served by a fixture server made for each test; and the look token that lets a reading step
reuse the picture of the step before it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from cancelscout.browser.activity import NetworkActivity, look_token, wait_at_rest
from cancelscout.browser.page_signals import wait_for_change, watch_changes
from cancelscout.demo.server import SiteServer

LATE = """<!DOCTYPE html><meta charset="utf-8"><main id="m"></main><script>
fetch('/api/late.json').then(r => r.json()).then(d => {
  document.getElementById('m').innerHTML = '<a href="/vip">' + d.label + '</a>'; });
</script>"""
STREAM = """<!DOCTYPE html><meta charset="utf-8"><main id="m">ready</main><script>
fetch('/api/stream');
</script>"""
SHADOW = """<!DOCTYPE html><meta charset="utf-8"><vip-panel></vip-panel><script>
setTimeout(() => customElements.define('vip-panel', class extends HTMLElement {
  connectedCallback() {
    this.attachShadow({mode: 'open'}).innerHTML = '<a href="/vip">续费管理</a>'; }
}), 300);
</script>"""
STILL = """<!DOCTYPE html><meta charset="utf-8"><input id="phone" value="x">
<div id="box" class="a">会员</div>"""


@pytest.fixture
def serve(tmp_path: Path, site_server: Callable[[str], SiteServer]) -> SiteServer:
    (tmp_path / "late.html").write_text(LATE, encoding="utf-8")
    (tmp_path / "stream.html").write_text(STREAM, encoding="utf-8")
    (tmp_path / "still.html").write_text(STILL, encoding="utf-8")
    (tmp_path / "shadow.html").write_text(SHADOW, encoding="utf-8")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "late.json").write_text('{"label": "会员管理"}', encoding="utf-8")
    faults = {"/api/late.json": {"delay_s": 0.6}, "/api/stream": {"hang_s": 30}}
    (tmp_path / "site.json").write_text(json.dumps({"faults": faults}), encoding="utf-8")
    return site_server(str(tmp_path))


def test_wait_at_rest_waits_for_content_a_request_is_still_fetching(
    page: Page, serve: SiteServer
) -> None:
    # The DOM is quiet while the API call is out (no loading text): only the request says wait.
    activity = NetworkActivity(page)
    page.goto(serve.url + "/late.html", wait_until="load")
    assert wait_at_rest(page, activity, time.monotonic())
    assert page.locator("a[href='/vip']").inner_text() == "会员管理"


def test_wait_at_rest_does_not_wait_out_a_request_that_never_ends(
    page: Page, serve: SiteServer
) -> None:
    activity = NetworkActivity(page)
    page.goto(serve.url + "/stream.html", wait_until="load")
    started = time.monotonic()
    wait_at_rest(page, activity, time.monotonic())
    assert time.monotonic() - started < 10  # the stream stays open for 30 s
    assert activity.quiet_for_ms() == 0  # it is still open: the page was judged on its DOM


def test_look_token_ignores_what_the_tools_do_and_sees_what_the_page_does(
    page: Page, serve: SiteServer
) -> None:
    activity = NetworkActivity(page)
    page.goto(serve.url + "/still.html", wait_until="load")
    wait_at_rest(page, activity, time.monotonic())
    before = look_token(page, activity)
    assert before is not None
    # cancelscout's marks, Playwright's mask layer and the caret it hides for a screenshot
    page.evaluate("""() => {
      const box = document.getElementById('box');
      box.setAttribute('data-cs-i', 't:1'); box.removeAttribute('data-cs-i');
      const glass = document.createElement('x-pw-glass');
      document.documentElement.append(glass); glass.remove();
      const phone = document.getElementById('phone');
      phone.style.setProperty('caret-color', 'transparent', 'important');
      phone.style.setProperty('caret-color', '');
    }""")
    page.screenshot(mask=[page.locator("#phone")])
    assert look_token(page, activity) == before
    page.evaluate("document.getElementById('box').className = 'b'")  # the page's own change
    assert look_token(page, activity) != before


def test_late_content_in_a_shadow_root_counts_as_a_change(page: Page, serve: SiteServer) -> None:
    # The light DOM never changes: the content arrives in a shadow root attached later.
    NetworkActivity(page)  # installs the page's own record of its changes
    page.goto(serve.url + "/shadow.html", wait_until="load")
    watch_changes(page)
    assert wait_for_change(page, 3000)
    assert page.locator("vip-panel a").inner_text() == "续费管理"
