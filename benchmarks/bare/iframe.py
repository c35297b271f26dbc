"""iframe: 会员中心; the entry 退订会员 is inside #member-frame."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("link", name="会员中心", exact=True).click()
    entry = page.frame_locator("#member-frame").get_by_role("link", name="退订会员")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
