"""Signals read off a live page during discovery: has it finished rendering, what does it
say (shadow roots included), does it ask to log in, what auto-renew state and which
customer-service numbers does its text show."""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

QUIET_MS, QUIET_MAX_MS = 250, 3000  # "rendering finished": no DOM change for QUIET_MS
LOGIN_URL_WORDS = ("login", "signin", "passport")
SERVICE_NUMBERS = (
    (re.compile(r"(?:QQ|qq)[：:\s]*([1-9][0-9]{4,11})"), "QQ"),
    (re.compile(r"((?:400|800)[- ]?[0-9]{3}[- ]?[0-9]{4})"), "phone"),
)

LOGGED_OUT_JS = """() => {
  const pw = Array.from(document.querySelectorAll('input[type=password]'))
    .some(el => el.offsetWidth || el.offsetHeight);
  const text = document.body ? document.body.innerText : '';
  const words = ['请先登录', '請先登入', '请登录后', '登录后查看', 'please log in',
                 'please sign in'];
  return pw || words.some(w => text.toLowerCase().includes(w));
}"""
# Single-page apps render after the load event: wait until the DOM has been quiet a moment
# and no loading indicator is showing (an app waiting on a timer mutates nothing meanwhile).
DOM_QUIET_JS = """([quietMs, maxMs]) => new Promise(resolve => {
  const started = Date.now();
  const loading = () => /加载中|載入中|加載中|请稍候|請稍候|loading\\.\\.\\.|loading…/i
    .test(document.body ? document.body.innerText : '');
  const check = () => {
    if (loading() && Date.now() - started < maxMs) { timer = setTimeout(check, quietMs); return; }
    finish();
  };
  let timer = setTimeout(check, quietMs);
  const cap = setTimeout(finish, maxMs);
  const observer = new MutationObserver(() => { clearTimeout(timer);
    timer = setTimeout(check, quietMs); });
  observer.observe(document, {subtree: true, childList: true, characterData: true});
  function finish() { observer.disconnect(); clearTimeout(cap); clearTimeout(timer);
    resolve(true); }
})"""
# Visible text of the page including open shadow roots (innerText stops at shadow hosts).
DEEP_TEXT_JS = """() => {
  const parts = [document.body ? document.body.innerText : ''];
  const visit = root => root.querySelectorAll('*').forEach(el => {
    if (el.shadowRoot) { parts.push(el.shadowRoot.textContent || ''); visit(el.shadowRoot); }
  });
  visit(document);
  return parts.join('\\n');
}"""
AUTO_RENEW = r"自[动動][续續][费費](?:[状狀][态態])?[：:]\s*"
RENEW_STATUS = [
    (re.compile(AUTO_RENEW + r"(?:已)?(?:开启|開啟|开通|開通)"), "on"),
    (re.compile(AUTO_RENEW + r"(?:已关闭|已關閉|未开启|未開啟|关闭|關閉)"), "off"),
    (re.compile(r"auto-?renew(?:al)?\s*:\s*on\b", re.I), "on"),
    (re.compile(r"auto-?renew(?:al)?\s*:\s*off\b", re.I), "off"),
]


def dom_quiet(page: Page) -> None:
    with contextlib.suppress(PlaywrightError):
        page.evaluate(DOM_QUIET_JS, [QUIET_MS, QUIET_MAX_MS])


def deep_text(page: Page, *, frames: bool = False) -> str:
    """The page's visible text, open shadow roots included (and child frames, if asked)."""
    try:
        text = str(page.evaluate(DEEP_TEXT_JS))
    except PlaywrightError:
        return ""
    if frames:
        for frame in page.frames[1:]:
            with contextlib.suppress(PlaywrightError):
                text += "\n" + str(frame.evaluate("() => document.body.innerText"))
    return text


def looks_logged_out(page: Page) -> bool:
    if any(word in page.url.lower() for word in LOGIN_URL_WORDS):
        return True
    try:
        return bool(page.evaluate(LOGGED_OUT_JS))
    except PlaywrightError:
        return False


def auto_renew_in_text(text: str) -> tuple[str, str | None]:
    """('on' | 'off' | 'unknown', the words that said so)."""
    for pattern, state in RENEW_STATUS:
        match = pattern.search(text)
        if match:
            return state, match.group(0)
    return "unknown", None


def service_numbers(text: str) -> list[str]:
    """Customer-service QQ and 400/800 numbers shown in ``text``, as 'QQ 123…' / 'phone 400…'."""
    return [
        f"{kind} {number}" for pattern, kind in SERVICE_NUMBERS for number in pattern.findall(text)
    ]
