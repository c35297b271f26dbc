"""Demo shop: hover 会员中心, click 账户设置, then 隐私管理; the entry is 关闭自动续费."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("link", name="会员中心").first.hover()
    page.get_by_role("link", name="账户设置", exact=True).click()
    page.get_by_role("link", name="隐私管理", exact=True).click()
    entry = page.get_by_role("link", name="关闭自动续费")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
