"""report.html opens offline from its bundle in Chromium, with every image intact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from cancelscout.demo.server import SiteServer
from cancelscout.result import LocateResult


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_opens_offline_with_all_images(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    locate: Callable[..., LocateResult],
    page: Page,
    lang: str,
) -> None:
    server = site_server("hover")
    result = locate("fx-hover", server, login_session("fx-hover", server), lang=lang)
    report = Path(result.report or "")
    server.stop()  # nothing may be fetched from the site (or anywhere) to show the report
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    images = page.locator("img")
    assert images.count() >= 6
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.alt)"
    )
    assert broken == []
    heading = "取消入口取证报告" if lang == "zh" else "Cancel-entry evidence report"
    assert page.locator("h1").inner_text() == heading
    crumb = page.locator("dd.crumb").inner_text()
    assert crumb.split(" › ") == ["我的", "会员管理", "关闭自动续费"]
    assert page.locator("#annotated").is_visible()
    rows = page.locator("#timeline tr").count()
    assert rows > len(result.path)
    listed = page.locator("#files tr td:first-child").all_inner_texts()
    assert listed and len(listed) == len(set(listed))  # a shared artifact is listed once
