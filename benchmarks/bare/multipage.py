"""multipage: 个人中心, then 会员服务; the entry is 取消自动续费."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("link", name="个人中心").click()
    page.get_by_role("link", name="会员服务").click()
    entry = page.get_by_role("link", name="取消自动续费")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
