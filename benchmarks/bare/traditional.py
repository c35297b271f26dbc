"""traditional: 會員中心, then 帳戶設定; the entry is 取消自動續費."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("link", name="會員中心", exact=True).click()
    page.get_by_role("link", name="帳戶設定", exact=True).click()
    entry = page.get_by_role("link", name="取消自動續費")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
