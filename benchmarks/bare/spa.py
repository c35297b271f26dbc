"""spa: hash routes 账户, 订阅管理; the entry 取消订阅 renders late."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base + "#/home")
    page.get_by_role("link", name="账户", exact=True).click()
    page.get_by_role("link", name="订阅管理").click()
    entry = page.get_by_role("button", name="取消订阅")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
