"""Signals read off a live page: has it finished loading or rendering, what does it say
(shadow roots included), does it ask to log in, how is the entry styled, which order tables
does it hold. What the text *means* is ``analysis/``'s work (``page_text``, ``orders``)."""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

QUIET_MS, QUIET_MAX_MS = 250, 3000  # "rendering finished": no DOM change for QUIET_MS
LOGIN_URL_WORDS = ("login", "signin", "passport")
LOGGED_OUT_JS = """() => {
  const pw = Array.from(document.querySelectorAll('input[type=password]'))
    .some(el => el.offsetWidth || el.offsetHeight);
  const text = document.body ? document.body.innerText : '';
  const words = ['请先登录', '請先登入', '请登录后', '登录后查看', 'please log in',
                 'please sign in'];
  return pw || words.some(w => text.toLowerCase().includes(w));
}"""
# The heading of the card or section a control sits in (up to 6 levels up, across shadow
# roots), or the aria-label of a region around it: what a generic "Cancel" is about. A JS
# function expression, spliced into the scripts that describe controls.
CARD_CONTEXT_FN = r"""(e => {
  const up = n => n.parentElement || (n.getRootNode && n.getRootNode().host) || null;
  const text = n => (n.innerText || n.textContent || '').replace(/\s+/g, ' ').trim();
  for (let n = up(e), depth = 0; n && n.nodeType === 1 && depth < 6; n = up(n), depth++) {
    const heading = n.querySelector('h1, h2, h3, h4, h5, h6, [role=heading], legend, caption');
    if (heading && !heading.contains(e)) return text(heading).slice(0, 120);
    if (n.getAttribute('aria-label')) return n.getAttribute('aria-label').slice(0, 120);
  }
  return '';
})"""
# What the row around a control says besides the control itself: "自动续费：已开启" for the
# "关闭" next to it. Only short rows count; a whole card is context, not a row label.
ROW_LABEL_FN = r"""(e => {
  const up = n => n.parentElement || (n.getRootNode && n.getRootNode().host) || null;
  const flat = n => (n.innerText || n.textContent || '').replace(/\s+/g, ' ').trim();
  const own = flat(e);
  for (let n = up(e), depth = 0; n && n.nodeType === 1 && depth < 3; n = up(n), depth++) {
    const all = flat(n);
    if (all.length <= own.length + 1) continue;
    const rest = all.replace(own, ' ').replace(/\s+/g, ' ').trim();
    return rest.length <= 60 ? rest : '';
  }
  return '';
})"""
# Single-page apps render after the load event: wait until the DOM has been quiet a moment
# and no loading indicator is showing (an app waiting on a timer mutates nothing meanwhile).
LOADING_WORDS = r"加载中|載入中|加載中|请稍候|請稍候|loading\.\.\.|loading…"  # Python and JS
LOADING_RE = f"/{LOADING_WORDS}/i"
DOM_QUIET_JS = """([quietMs, maxMs]) => new Promise(resolve => {
  const started = Date.now();
  const loading = () => LOADING.test(document.body ? document.body.innerText : '');
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
})""".replace("LOADING", LOADING_RE)
# Visible text of the page including open shadow roots (innerText stops at shadow hosts).
DEEP_TEXT_JS = """() => {
  const parts = [document.body ? document.body.innerText : ''];
  const visit = root => root.querySelectorAll('*').forEach(el => {
    if (el.shadowRoot) { parts.push(el.shadowRoot.textContent || ''); visit(el.shadowRoot); }
  });
  visit(document);
  return parts.join('\\n');
}"""


def dom_quiet(page: Page) -> None:
    with contextlib.suppress(PlaywrightError):
        page.evaluate(DOM_QUIET_JS, [QUIET_MS, QUIET_MAX_MS])


# Counts DOM changes from the moment a page is read, so a change that lands between the
# reading and the wait is not missed.
WATCH_CHANGES_JS = """() => {
  if (window.__csWatch) window.__csWatch.disconnect();
  window.__csChanges = 0;
  window.__csWatchStart = performance.now();  // shadow roots: see __csLastChange (activity.py)
  window.__csWatch = new MutationObserver(() => { window.__csChanges += 1; });
  window.__csWatch.observe(document, {subtree: true, childList: true, characterData: true});
}"""
WAIT_CHANGE_JS = """ms => new Promise(resolve => {
  const started = Date.now();
  const check = () => {
    const deep = window.__csLastChange !== undefined
      && window.__csLastChange > window.__csWatchStart;
    if (window.__csChanges || deep) { resolve(true); return; }
    if (Date.now() - started >= ms) { resolve(false); return; }
    setTimeout(check, 50);
  };
  check();
})"""


# Structure that says "more is coming": a region marked busy, or the tab panel on show holding
# no control at all (its content is fetched or rendered after the tab opens).
PENDING_JS = """() => {
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const controls = 'a[href],button,input,select,textarea,[role=button],[role=switch],'
    + '[role=link],[tabindex]';
  if ([...document.querySelectorAll('[aria-busy=true]')].some(shown)) return true;
  return [...document.querySelectorAll('[role=tabpanel]')]
    .some(p => shown(p) && !p.querySelector(controls));
}"""


# What a hover or click set moving has come to rest: every finite CSS animation or transition
# has ended (Web Animations), and the DOM, attributes included, has been quiet for quietMs (a
# jQuery slideDown or a hover-intent delay changes styles from timers, which no animation
# list shows); at least minMs, at most maxMs.
TRANSITIONS_JS = """([quietMs, minMs, maxMs]) => new Promise(resolve => {
  const started = Date.now();
  let last = started;
  const observer = new MutationObserver(() => { last = Date.now(); });
  observer.observe(document, {subtree: true, childList: true, attributes: true,
    characterData: true});
  const moving = () => (document.getAnimations ? document.getAnimations() : [])
    .some(a => a.playState === 'running' && a.effect
      && a.effect.getComputedTiming().iterations !== Infinity);
  const check = () => {
    const now = Date.now();
    const rested = now - started >= minMs && now - last >= quietMs && !moving();
    if (rested || now - started >= maxMs) { observer.disconnect(); resolve(rested); return; }
    setTimeout(check, 25);
  };
  requestAnimationFrame(() => requestAnimationFrame(check));
})"""
TRANSITION_QUIET_MS = 120  # longer than a hover-intent delay (jQuery hoverIntent: 100 ms)
TRANSITION_MAX_MS = 600  # a menu that slides longer than this is photographed mid-way


def transitions_done(page: Page, min_ms: float = 0, max_ms: float = TRANSITION_MAX_MS) -> None:
    """Wait until what the last move set moving has come to rest (bounded)."""
    with contextlib.suppress(PlaywrightError):
        page.evaluate(TRANSITIONS_JS, [TRANSITION_QUIET_MS, min_ms, max_ms])


def content_pending(page: Page) -> bool:
    """True when the page's structure says content is still on its way (see ``PENDING_JS``)."""
    try:
        return bool(page.evaluate(PENDING_JS))
    except PlaywrightError:
        return False


def watch_changes(page: Page) -> None:
    """Start counting DOM changes (see :func:`wait_for_change`)."""
    with contextlib.suppress(PlaywrightError):
        page.evaluate(WATCH_CHANGES_JS)


def wait_for_change(page: Page, ms: float) -> bool:
    """Wait up to ``ms`` for the DOM to change since :func:`watch_changes` (late content);
    True if it did."""
    try:
        return bool(page.evaluate(WAIT_CHANGE_JS, ms))
    except PlaywrightError:
        return False


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


SETTLE_MS = 2500  # a page stuck on a slow image is not an error: the next step waits itself


def settle(page: Page, timeout_ms: float = SETTLE_MS) -> None:
    """Wait (bounded) for the load event; a page that never fires it is left as it is."""
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("load", timeout=timeout_ms)


_STYLE_JS = """(el, loud) => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  let bg = null;
  for (let n = el; n && n.nodeType === 1;
       n = n.parentElement || (n.getRootNode && n.getRootNode().host)) {
    const c = getComputedStyle(n).backgroundColor;
    const v = parse(c);
    if (v.length >= 3 && (v.length < 4 || v[3] > 0)) { bg = v; break; }
  }
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  let loudest = 0;
  const doc = el.ownerDocument;
  doc.querySelectorAll('a, button, [role=button], input[type=submit]').forEach(b => {
    const text = (b.innerText || b.value || '').trim().toLowerCase();
    if (!text || !loud.some(w => text.includes(w))) return;
    const br = b.getBoundingClientRect();
    loudest = Math.max(loudest, br.width * br.height);
  });
  return {fontSize: parseFloat(style.fontSize) || 0, color: parse(style.color),
          bg: bg || [255, 255, 255], area: r.width * r.height,
          top: r.top + (doc.defaultView ? doc.defaultView.scrollY : 0),
          viewport: doc.defaultView ? doc.defaultView.innerHeight : 900,
          text: (el.innerText || '').trim(), loudest};
}"""
LOUD_WORDS = [
    "续费",
    "續費",
    "开通",
    "開通",
    "升级",
    "購買",
    "购买",
    "支付",
    "renew",
    "upgrade",
    "buy",
]


def entry_style(locator: Locator) -> dict[str, Any]:
    """Measured before the entry is scrolled into view (so 'below the fold' is honest)."""
    style: dict[str, Any] = locator.evaluate(_STYLE_JS, LOUD_WORDS)
    return style


# Every <table> (and ARIA grid/table) of the document as rows of visible cell texts.
TABLES_JS = """() => {
  const cellText = c => (c.innerText || c.textContent || '').replace(/\\s+/g, ' ').trim();
  const out = [];
  document.querySelectorAll('table, [role=table], [role=grid]').forEach(table => {
    const rows = table.matches('table')
      ? Array.from(table.rows)
      : Array.from(table.querySelectorAll('[role=row]'));
    const cells = r => r.matches('tr') ? r.cells
      : r.querySelectorAll('[role=cell],[role=gridcell],[role=columnheader]');
    const data = rows.map(r => Array.from(cells(r)).map(cellText));
    if (data.length) out.push(data);
  });
  return out;
}"""


def order_tables(page: Page) -> list[list[list[str]]]:
    """The text cells of every table in every frame of ``page``."""
    tables: list[list[list[str]]] = []
    for frame in page.frames:
        with contextlib.suppress(PlaywrightError):
            tables.extend(frame.evaluate(TABLES_JS))
    return tables
