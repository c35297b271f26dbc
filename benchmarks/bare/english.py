"""english: Account, then Billing; the entry is Turn off auto-renew."""

import sys

from _browser import launch
from playwright.sync_api import sync_playwright

base, session, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_context(storage_state=session).new_page()
    page.goto(base)
    page.get_by_role("link", name="Account", exact=True).click()
    page.get_by_role("link", name="Billing", exact=True).click()
    entry = page.get_by_role("link", name="Turn off auto-renew")
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
