"""Has a page come to rest after a move? Requests in flight, counted from the page's own events,
and the DOM quiet a moment.

Playwright's ``networkidle`` waits 500 ms after the last request even after a hover that asked
nothing of the network; counting the requests a page has in flight answers as soon as the last
one is done and the DOM has stopped changing. A request that never ends (long polling, an event
stream) is waited for at most ``NETWORK_MAX_MS``: the page is then judged on its DOM alone.

Three uses: ``wait_at_rest`` (discovery, after every move), ``look_token`` (may a reading step
reuse the picture of the step before it) and ``wait_for_content`` (capture: late content, and
whether the page was captured empty or loading).
"""

from __future__ import annotations

import contextlib
import re
import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request

from cancelscout.browser.page_signals import (
    LOADING_RE,
    LOADING_WORDS,
    QUIET_MAX_MS,
    deep_text,
    wait_for_change,
    watch_changes,
)

REST_MS = 120  # no request in flight, no DOM change for this long: at rest (as TRANSITION_QUIET_MS)
NETWORK_MAX_MS = 1000  # a request still open after this is a stream, not content on its way
POLL_MS = 50
# Requests that stay open by design: counting them would hold every page to NETWORK_MAX_MS.
STREAMING = frozenset({"eventsource", "websocket"})


# The page keeps the time of its own last DOM change, from its first parsed node on, so a page
# that has been quiet since before the wait answers at once: __csLastChange for nodes and text
# (what "rendering finished" means), __csLastAny for attributes too (what a picture shows).
LAST_CHANGE_JS = """(() => {
  if (window.__csLastChange !== undefined) return;
  window.__csLastChange = window.__csLastAny = performance.now();
  // What the tools themselves do to a page is not a change of the page: cancelscout's marks
  // and overlay, Playwright's masks (x-pw-*) and the caret it hides for a screenshot.
  const caretless = v => (v || '').replace(/caret-color:[^;]*;?/g, '').trim();
  const ours = n => n.nodeType === 1 && (/^X-PW/.test(n.nodeName) || /^__cancelscout/.test(n.id));
  const tooling = r => r.type === 'attributes'
    ? /^data-c(s|ancelscout)-/.test(r.attributeName) || (r.attributeName === 'style'
        && caretless(r.oldValue) === caretless(r.target.getAttribute('style')))
    : r.type === 'childList' && [...r.addedNodes, ...r.removedNodes].every(ours)
        && r.addedNodes.length + r.removedNodes.length > 0;
  const changed = nodes => {
    const now = performance.now();
    window.__csLastAny = now;
    if (nodes) window.__csLastChange = now;
  };
  const observer = new MutationObserver(records => {
    const page = records.filter(r => !tooling(r));
    if (page.length) changed(page.some(r => r.type !== 'attributes'));
  });
  const options = {subtree: true, childList: true, characterData: true, attributes: true,
    attributeOldValue: true};
  observer.observe(document, options);
  // Shadow roots are outside the document's subtree: watch each one as it is attached (a
  // custom element rendering late into its shadow root is late content too).
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    try { observer.observe(root, options); } catch (e) { /* a detached host */ }
    changed(true);
    return root;
  };
  const visit = node => node.querySelectorAll('*').forEach(el => {
    if (el.shadowRoot) { observer.observe(el.shadowRoot, options); visit(el.shadowRoot); }
  });
  visit(document);  // roots attached before this script ran (a page opened before watching)
})();"""
# What a picture of the page depends on, short of the pixels: its URL, its last change of any
# kind, scroll and size, and whether anything is moving.
LOOK_JS = """() => [location.href, window.__csLastAny, scrollX, scrollY, innerWidth, innerHeight,
  (document.getAnimations ? document.getAnimations() : [])
    .filter(a => a.playState === 'running').length]"""
# Resolves once the DOM has not changed for restMs since the last change or the last move
# (sinceMs ago: a click's hash change re-renders only after the click has returned), and no
# loading indicator shows; or at maxMs.
REST_JS = """([restMs, maxMs, sinceMs]) => new Promise(resolve => {
  LAST_CHANGE
  const started = performance.now();
  const moved = started - sinceMs;
  const loading = () => LOADING.test(document.body ? document.body.innerText : '');
  const check = () => {
    const now = performance.now();
    const quietFor = now - Math.max(window.__csLastChange, moved);
    if ((quietFor >= restMs && !loading()) || now - started >= maxMs) {
      resolve(quietFor >= restMs); return;
    }
    setTimeout(check, quietFor >= restMs ? restMs : Math.max(10, restMs - quietFor));
  };
  check();
})""".replace("LAST_CHANGE", LAST_CHANGE_JS).replace("LOADING", LOADING_RE)


class NetworkActivity:
    """The requests ``page`` has in flight, and when the last one started or ended; installs
    the page's own record of its last DOM change."""

    def __init__(self, page: Page) -> None:
        self._open: set[Request] = set()
        self.last_change = time.monotonic()
        with contextlib.suppress(PlaywrightError):
            page.add_init_script(LAST_CHANGE_JS)
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        with contextlib.suppress(PlaywrightError):
            if request.resource_type in STREAMING:
                return
        self._open.add(request)
        self.last_change = time.monotonic()

    def _ended(self, request: Request) -> None:
        if request in self._open:
            self._open.discard(request)
            self.last_change = time.monotonic()

    def quiet_for_ms(self) -> float:
        """How long nothing has been in flight (0 while a request is open)."""
        if self._open:
            return 0.0
        return (time.monotonic() - self.last_change) * 1000


def look_token(page: Page, activity: NetworkActivity) -> tuple[object, ...] | None:
    """A value that stays equal while the page shows the same picture: equal tokens before and
    after a screenshot, and again later, mean a new screenshot would show what that one shows.
    None (never equal) for a page with frames (their changes are not counted here), a moving
    page, a request in flight, or a page without the record of its changes."""
    if len(page.frames) > 1 or activity.quiet_for_ms() == 0:
        return None
    try:
        look = page.evaluate(LOOK_JS)
    except PlaywrightError:
        return None
    if look[1] is None or look[-1]:
        return None
    return (*look, activity.last_change)


def wait_at_rest(
    page: Page,
    activity: NetworkActivity,
    moved_at: float,
    rest_ms: float = REST_MS,
    network_max_ms: float = NETWORK_MAX_MS,
) -> bool:
    """Wait until no request is in flight and the DOM has been quiet for ``rest_ms``, counted
    from the last change or the last move (``moved_at``, ``time.monotonic()``), whichever is
    later; a page showing a loading indicator is waited for, as in ``dom_quiet``; bounded.
    True if at rest. A page without the init script (opened before it was watched) starts its
    record now. ``network_max_ms``: how long a request in flight is waited for."""
    started = time.monotonic()
    network_deadline = started + network_max_ms / 1000
    deadline = started + (network_max_ms + QUIET_MAX_MS) / 1000
    while True:
        now = time.monotonic()
        left_ms, since_ms = max(0.0, (deadline - now) * 1000), max(0.0, (now - moved_at) * 1000)
        with contextlib.suppress(PlaywrightError):  # a navigation mid-wait: look again
            page.evaluate(REST_JS, [rest_ms, max(rest_ms, left_ms), since_ms])
        now = time.monotonic()
        if activity.quiet_for_ms() >= rest_ms or now >= network_deadline:
            return True
        if now >= deadline:
            return False
        with contextlib.suppress(PlaywrightError):
            page.wait_for_timeout(POLL_MS)  # lets the request events arrive


LATE_MS = 3000  # how long an empty or loading page is given to fill in
# Capture waits longer than a search for an answer in flight: a slow API holding the orders
# or the agreement is the evidence, and capture is not a race.
CONTENT_NETWORK_MAX_MS = 8000
_EMPTY_CHARS = 20
_LOADING = re.compile(LOADING_WORDS, re.IGNORECASE)


def wait_for_content(page: Page, activity: NetworkActivity, moved_at: float) -> str | None:
    """Wait for the page to come to rest and, if it is still empty or loading (a hash-routed app
    fetching its route), for its content (bounded). Returns what is wrong with the page as
    captured — empty, or still loading — or None when it has content."""
    wait_at_rest(page, activity, moved_at, network_max_ms=CONTENT_NETWORK_MAX_MS)
    for attempt in range(2):
        text = " ".join(deep_text(page, frames=True).split())  # shadow roots and frames too
        loading = bool(_LOADING.search(text))
        if len(text) >= _EMPTY_CHARS and not loading:
            return None
        if attempt == 1:
            break
        watch_changes(page)
        if wait_for_change(page, LATE_MS):
            wait_at_rest(page, activity, time.monotonic(), network_max_ms=CONTENT_NETWORK_MAX_MS)
    if loading:
        return "the page still showed a loading indicator when it was captured"
    return f"the page was empty when it was captured ({len(text)} characters of text)"
