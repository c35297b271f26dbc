"""secondroute: the profile's first route (会员中心) has no entry any more; like the profile,
look there first, then take 账户设置 › 隐私管理 to 解除自动续费."""

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
    entry = page.get_by_role("link", name="解除自动续费")
    if not entry.is_visible():
        page.goto(base)
        page.get_by_role("link", name="账户设置").click()
        page.get_by_role("link", name="隐私管理").click()
    entry.wait_for()
    entry.screenshot(path=shot)
    browser.close()
