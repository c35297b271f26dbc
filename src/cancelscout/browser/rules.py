"""Evaluate a profile's page rules: logged in or out, human challenge, auto-renew status."""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from cancelscout.browser.locators import build
from cancelscout.profiles.schema import AutoRenew, Locator, Login, Profile, Rule

# Widely used captcha / slider vendors, recognised without any profile help.
CHALLENGE_SELECTORS = (
    "iframe[src*='captcha']",
    "iframe[src*='geetest']",
    "[class*='geetest_']",
    "#nc_1_wrapper",
    "[class*='nc-container']",
    "iframe[src*='turing.captcha']",
    "[id*='tcaptcha']",
)
CHALLENGE_TEXTS = ("请完成安全验证", "拖动滑块", "向右滑动完成验证", "人机验证", "请完成下方验证")


def visible(page: Page, spec: Locator, timeout_ms: float = 0) -> bool:
    locator = build(page, spec)
    try:
        if timeout_ms:
            locator.wait_for(state="visible", timeout=timeout_ms)
            return True
        return locator.is_visible()
    except PlaywrightError:
        return False


def rule_holds(page: Page, rule: Rule, timeout_ms: float = 0) -> bool:
    url = page.url
    if rule.url_contains is not None:
        return rule.url_contains in url
    if rule.url_not_contains is not None:
        return rule.url_not_contains not in url
    if rule.url_regex is not None:
        return re.search(rule.url_regex, url) is not None
    if rule.present is not None:
        return visible(page, rule.present, timeout_ms)
    assert rule.absent is not None
    return not visible(page, rule.absent, 0)


def logged_in(page: Page, login: Login, timeout_ms: float) -> bool:
    """True when no logged-out rule holds and every logged-in rule holds.

    ``present`` rules get ``timeout_ms`` to appear, because single-page apps render late.
    """
    if any(rule_holds(page, rule) for rule in login.logged_out if rule.present is None):
        return False
    if not all(rule_holds(page, rule, timeout_ms) for rule in login.logged_in):
        return False
    return not any(rule_holds(page, rule) for rule in login.logged_out)


_CHALLENGE_JS = """([selectors, texts]) => {
  const shown = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (el && shown(el)) return 'challenge element ' + sel;
  }
  const text = document.body ? document.body.innerText : '';
  for (const t of texts) if (text.includes(t)) return "challenge text '" + t + "'";
  return null;
}"""


def challenge_shown(page: Page, profile: Profile) -> str | None:
    """A short description of a captcha/slider/SMS challenge on the page, else None."""
    for rule in profile.challenge:
        if rule_holds(page, rule):
            return f"profile challenge rule {rule.model_dump(exclude_none=True)}"
    try:
        found: str | None = page.evaluate(
            _CHALLENGE_JS, [list(CHALLENGE_SELECTORS), list(CHALLENGE_TEXTS)]
        )
    except PlaywrightError:
        return None  # the page navigated away mid-check; the next step checks again
    return found


def auto_renew_status(page: Page, rules: AutoRenew | None) -> str:
    if rules is None:
        return "unknown"
    is_on = any(visible(page, spec) for spec in rules.on)
    is_off = any(visible(page, spec) for spec in rules.off)
    if is_on == is_off:
        return "unknown"  # neither, or contradictory signals: do not guess
    return "on" if is_on else "off"
