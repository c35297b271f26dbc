"""hamburger: the 菜单 drawer, 设置, 自动续费管理; the entry is the 关闭自动续费 button."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("button", name="菜单", exact=True).click()
    page.get_by_role("link", name="设置", exact=True).click()
    page.get_by_role("link", name="自动续费管理").click()
    entry = page.get_by_role("button", name="关闭自动续费")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
