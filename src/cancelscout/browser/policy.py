"""The network policy of a run: on the platform's hosts only, and read-only.

Installed once per browser context (``context.route``), so it sees every request of every page
and frame, whatever triggered it — a click, a script, a form, a redirect:

- a document (page or frame) outside the platform's hosts is aborted;
- a document that is an action URL (``/member/cancel.php``, ``?act=quxiao`` — see
  ``analysis/urls.py``) or the entry's own link is aborted: opening it can be the action;
- any request whose method is not GET, HEAD or OPTIONS is aborted: locating and capturing only
  read. The exceptions are the login form's submission (:meth:`NetworkPolicy.writes_allowed`)
  and the requests a profile explicitly allows (``allow_requests:`` method + URL pattern, for
  sites that read data with POST).

Each refusal is kept as a :class:`~cancelscout.result.Blocked` (kind, method, URL, reason, the
step it happened in); the run reports them all.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import BrowserContext, Page, Request, Route

from cancelscout.analysis.urls import action_in_url
from cancelscout.profiles.schema import Profile
from cancelscout.result import Blocked, BlockedKind

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in allowed:
        if pattern.startswith("*."):
            root = pattern[2:]
            if host == root or host.endswith("." + root):
                return True
        elif host == pattern:
            return True
    return False


@dataclass(frozen=True)
class AllowedRequest:
    """A request the profile allows through the read-only network: method + URL regex."""

    method: str
    pattern: re.Pattern[str]

    def matches(self, method: str, url: str) -> bool:
        return method.upper() == self.method and bool(self.pattern.search(url))


class NetworkPolicy:
    def __init__(
        self,
        allowed: list[str],
        *,
        allow_requests: Iterable[AllowedRequest] = (),
        read_only: bool = True,
        step: Callable[[], int | None] = lambda: None,
    ) -> None:
        self.allowed = list(allowed)
        self.allow_requests = list(allow_requests)
        self.read_only = read_only
        self.step = step
        self.blocked: list[Blocked] = []
        self._never_open: set[str] = set()
        self._writes = 0
        self._taken = 0
        self.page_scoped = False  # see install_on_pages
        self.own_pages: list[Page] = []

    # -- decisions ---------------------------------------------------------------------------
    def allows_url(self, url: str) -> bool:
        """Is ``url`` on the platform's hosts (or a local scheme a page may use)?"""
        parts = urlsplit(url)
        if parts.scheme in ("about", "data", "blob", "javascript"):
            return True
        return bool(parts.hostname) and host_allowed(parts.hostname or "", self.allowed)

    def page_refusal(self, url: str, method: str = "GET") -> str | None:
        """Why ``url`` must not be opened as a page (None: it may)."""
        if not self.allows_url(url):
            return "not one of the platform's hosts"
        if urldefrag(url)[0] in self._never_open:
            return "it is the cancel entry's own link (locating never follows it)"
        word = action_in_url(url)
        if word and not self._allowed(method, url):
            return f"it is an action URL ({word!r})"
        return None

    def never_open(self, url: str | None) -> None:
        """Refuse every later navigation to ``url`` (the entry's link)."""
        if url and not url.startswith("javascript:"):
            self._never_open.add(urldefrag(url)[0])

    def _allowed(self, method: str, url: str) -> bool:
        return any(rule.matches(method, url) for rule in self.allow_requests)

    @contextlib.contextmanager
    def writes_allowed(self) -> Iterator[None]:
        """Let write requests through while inside (the login form's submission only)."""
        self._writes += 1
        try:
            yield
        finally:
            self._writes -= 1

    def block(
        self, kind: BlockedKind, method: str, url: str, reason: str, initiator: str = ""
    ) -> Blocked:
        blocked = Blocked(
            kind=kind, method=method, url=url, reason=reason, initiator=initiator, step=self.step()
        )
        self.blocked.append(blocked)
        return blocked

    def take_new(self) -> list[Blocked]:
        """The refusals since the last call (for the step record they happened in)."""
        new = self.blocked[self._taken :]
        self._taken = len(self.blocked)
        return new

    # -- the route -------------------------------------------------------------------------
    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._handle)

    def install_on_pages(self) -> None:
        """Judge only the pages this run opens (``watch_page``), not the whole context: when
        attached to the user's own browser, their other tabs are theirs."""
        self.page_scoped = True

    def watch_page(self, page: Page) -> None:
        """Put ``page`` under the policy when the policy is page-scoped; remember it."""
        if self.page_scoped and page not in self.own_pages:
            page.route("**/*", self._handle)
            self.own_pages.append(page)

    def _handle(self, route: Route, request: Request) -> None:
        method, url = request.method.upper(), request.url
        if request.resource_type == "document":
            reason = self.page_refusal(url, method)
            if reason is not None:
                self.block("navigation", method, url, reason, _initiator(request))
                route.abort("blockedbyclient")
                return
        if (
            self.read_only
            and method not in SAFE_METHODS
            and not self._writes
            and not self._allowed(method, url)
        ):
            reason = "read-only network: only GET, HEAD, OPTIONS"
            self.block("request", method, url, reason, _initiator(request))
            route.abort("blockedbyclient")
            return
        route.fallback()


def _initiator(request: Request) -> str:
    try:
        return request.frame.url
    except Exception:  # a service worker's or a detached frame's request has no frame
        return ""


def allowed_requests(profile: Profile) -> list[AllowedRequest]:
    """The profile's ``allow_requests:`` as compiled rules (none for a stand-in profile)."""
    rules = getattr(profile, "allow_requests", None) or []
    return [AllowedRequest(rule.method.upper(), re.compile(rule.url)) for rule in rules]
