"""noentry (absent target): 会员中心, wait for the page to settle, and conclude there is no
entry when none of the profile's target names is on it."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("link", name="会员中心").click()
    page.wait_for_load_state("networkidle")
    names = ["关闭自动续费", "取消自动续费", "取消会员"]
    found = any(page.get_by_text(name).count() for name in names)
    page.screenshot(path=shot)
    browser.close()
    sys.exit(0 if not found else 1)
