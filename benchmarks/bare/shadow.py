"""shadow: 账户设置; the entry 关闭自动续费 sits in a shadow root."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("link", name="账户设置").click()
    entry = page.get_by_role("button", name="关闭自动续费")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
