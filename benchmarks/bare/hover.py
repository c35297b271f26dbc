"""hover: hover 我的, click 会员管理; the entry is the 关闭自动续费 button."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_text("我的", exact=True).hover()
    page.get_by_role("link", name="会员管理").click()
    entry = page.get_by_role("button", name="关闭自动续费")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
