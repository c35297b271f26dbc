"""The page a locate or discovery run drives, and every move it makes there.

A :class:`Navigator` opens URLs on the platform's hosts only, clicks through the click guard,
follows a new tab a click opened, waits for pages to settle, stops at a human check, records
each move as a step, and measures the entry it stops at. Profile routes and the discovery search
share one navigator per run (composition): whatever one of them measures, the run reports.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any
from urllib.parse import urljoin

from playwright.sync_api import BrowserContext, Page, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PWLocator

from cancelscout.browser import rules
from cancelscout.browser.actions import Actions
from cancelscout.browser.activity import NetworkActivity, look_token, wait_at_rest
from cancelscout.browser.page_signals import dom_quiet, entry_style, settle
from cancelscout.browser.policy import NetworkPolicy
from cancelscout.browser.watch import guard_page
from cancelscout.errors import (
    LoginRequiredError,
    NeedsHumanError,
    SiteError,
    first_line,
)
from cancelscout.profiles.schema import Profile
from cancelscout.result import Entry, LocateResult
from cancelscout.runs.recorder import StepRecorder

NOTICE_LAYERS = 3  # a notice over a notice over the page, at most
NOTICE_CLICK_MS = 3000


class Navigator:
    def __init__(
        self,
        profile: Profile,
        recorder: StepRecorder,
        result: LocateResult,
        policy: NetworkPolicy,
        *,
        timeout_s: float,
        login_command: str,
    ) -> None:
        self.profile = profile
        self.recorder = recorder
        self.result = result
        self.policy = policy
        self.timeout_s = timeout_s
        self.timeout_ms = timeout_s * 1000
        self.login_command = login_command
        self.actions = Actions(policy)  # the choke point: every act on the page goes through it
        self.page: Page | None = None
        self.visited: set[str] = set()  # main-frame URLs the run has been on
        self.entry_style: dict[str, Any] | None = None  # how the entry looked (friction)
        self._new_pages: list[Page] = []
        # Requests in flight and the page's record of its changes, per page: kept only once a
        # search reads them (``track_activity``); profile routes wait on their own signals.
        self._activity: dict[Page, NetworkActivity] = {}
        self._track_activity = False
        self.moved_at = time.monotonic()  # when the last navigation, click or hover returned
        self._document_status: int | None = None  # HTTP status of the last page load
        # The session is proven by the check page, or by reaching the entry it protects.
        self.session_proven = False

    # -- the page ---------------------------------------------------------------------------
    def attach(self, context: BrowserContext) -> Page:
        """Watch every page of ``context`` and take its first page (a persistent profile opens
        with a tab) or a new one. In the user's own browser (a page-scoped policy): a new tab
        of this run's own, and only the tabs it opens are followed."""
        if self.policy.page_scoped:
            self.page = context.new_page()
            self._watch(self.page)
            return self.page
        existing = list(context.pages)
        context.on("page", self._on_new_page)
        self.page = existing[0] if existing else context.new_page()
        for page in existing:
            self._watch(page)
        return self.page

    def _watch(self, page: Page) -> None:
        self.policy.watch_page(page)  # page-scoped policies only (the user's own browser)
        if self.policy.page_scoped:
            page.on("popup", self._on_new_page)  # a tab this page opens is this run's too
        guard_page(page, self._on_refused)
        if self._track_activity:
            self._activity[page] = NetworkActivity(page)
        page.on("response", self._on_response)
        page.on("crash", lambda crashed: self.recorder.log.error("page_crashed", url=crashed.url))
        page.on(
            "framenavigated",
            lambda frame: self.visited.add(frame.url) if frame == frame.page.main_frame else None,
        )

    def _on_new_page(self, page: Page) -> None:
        self._watch(page)
        if self.page is not None:
            self._new_pages.append(page)  # a popup or target=_blank tab opened by a click

    def _on_refused(self, kind: str, text: str, url: str) -> None:
        if kind == "dialog":
            self.result.dialogs.append(text)
            self.recorder.log.warning("dialog_dismissed", message=text)
        else:
            self.policy.block("download", "GET", url, text)
            self.recorder.log.warning("download_refused", url=url)

    def _on_response(self, response: Response) -> None:
        main_frame = self.page.main_frame if self.page is not None else None
        with contextlib.suppress(PlaywrightError):
            if response.request.resource_type == "document" and response.frame == main_frame:
                self._document_status = response.status

    def track_activity(self) -> None:
        """From now on, keep each page's activity (for ``at_rest`` and ``look``)."""
        self._track_activity = True
        if self.page is not None and self.page not in self._activity:
            self._activity[self.page] = NetworkActivity(self.page)

    def at_rest(self) -> None:
        """Wait (bounded) until the page has no request in flight and its DOM is quiet."""
        assert self.page is not None
        activity = self._activity.get(self.page)
        if activity is None:  # a page this navigator did not open: judge it from now on
            activity = self._activity[self.page] = NetworkActivity(self.page)
        wait_at_rest(self.page, activity, self.moved_at)

    def look(self, page: Page) -> object | None:
        """Equal while ``page`` has not changed (see ``look_token``); None: cannot tell."""
        activity = self._activity.get(page)
        return look_token(page, activity) if activity is not None else None

    def url(self, path_or_url: str) -> str:
        return urljoin(self.profile.base_url, path_or_url)

    # -- moves ------------------------------------------------------------------------------
    def visit(self, url: str, label: str) -> None:
        assert self.page is not None
        before = self.page.url
        try:
            response = self.actions.open_page(self.page, url)
        except PlaywrightError as exc:
            self.recorder.record(
                self.page,
                "goto",
                label,
                url_before=before,
                outcome="failed",
                error=first_line(str(exc)),
                locator=url,
            )
            raise SiteError(f"cannot open {url}: {first_line(str(exc))}") from None
        self.moved_at = time.monotonic()
        settle(self.page)
        status = response.status if response is not None else None
        failed = status is not None and status >= 500
        self.recorder.record(
            self.page,
            "goto",
            label,
            url_before=before,
            locator=url,
            outcome="failed" if failed else "ok",
            error=f"HTTP {status}" if failed else None,
        )
        if failed:
            raise SiteError(f"{url} answered HTTP {status}")
        self.check_challenge()

    def dismiss_notices(self) -> int:
        """Close blocking notices (公告 + 我知道了), each recorded as a step; how many."""
        assert self.page is not None
        closed = 0
        for _ in range(NOTICE_LAYERS):
            try:
                label, text = self.actions.dismiss_notice(self.page, NOTICE_CLICK_MS)
            except PlaywrightError as exc:
                self.recorder.record(
                    self.page, "dismiss", "notice", outcome="failed", error=first_line(str(exc))
                )
                return closed
            if label is None:
                if text is not None and closed == 0:
                    self.recorder.log.info("blocking_layer_left_alone", text=text[:80])
                return closed
            closed += 1
            self.moved_at = time.monotonic()
            dom_quiet(self.page)
            self.recorder.record(
                self.page,
                "dismiss",
                label,
                outcome="ok",
                fields={"notice": text[:200] if text else ""},
            )
        return closed

    def click_element(self, target: PWLocator, timeout: float) -> bool:
        """Click ``target`` after the guard allowed it; True when the click opened a new tab.

        A click another layer intercepts is tried once more after closing that layer, when it
        is a plain notice; otherwise the failure stands (and is recorded by the caller).
        """
        assert self.page is not None
        page_before = self.page
        self._document_status = None
        try:
            self.actions.click_element(target, timeout)
        except PlaywrightError as exc:
            if "intercepts pointer events" not in str(exc) or not self.dismiss_notices():
                raise
            self.actions.click_element(target, timeout)
        self.moved_at = time.monotonic()
        self._after_click()
        status = self._document_status
        if status is not None and status >= 500:
            # The click loaded a page that failed: a site fault, not a page without the entry.
            raise SiteError(f"{self.page.url} answered HTTP {status} after the click")
        return self.page is not page_before

    def hover_over(self, target: PWLocator, timeout: float) -> None:
        self.actions.hover_over(target, timeout)
        self.moved_at = time.monotonic()

    def _after_click(self) -> None:
        assert self.page is not None
        try:
            self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
        except PlaywrightError:
            raise SiteError(
                f"{self.page.url} did not finish loading within {self.timeout_s:g} s"
            ) from None
        if self._new_pages:
            # A new tab (target=_blank, window.open) that passed the same network policy.
            self.page = self._new_pages.pop()
            self._new_pages.clear()
            self.recorder.log.info("switched_to_new_tab", url=self.page.url)
            with contextlib.suppress(PlaywrightError):
                self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
        settle(self.page)

    # -- checks -----------------------------------------------------------------------------
    def check_challenge(self) -> None:
        assert self.page is not None
        found = rules.challenge_shown(self.page, self.profile)
        if found:
            raise NeedsHumanError(
                f"the site shows a human check ({found}). Open it with --headed, pass the check, "
                "and run again."
            )

    def check_session(self) -> None:
        """Open the profile's check page and apply its login rules (a page load of its own)."""
        assert self.page is not None
        self.visit(self.url(self.profile.login.check_url), "check session")
        if not rules.logged_in(self.page, self.profile.login, min(self.timeout_ms, 8000)):
            raise self._session_gone()
        self.session_proven = True
        self.recorder.log.info("session_ok", url=self.page.url, via="check page")

    def can_defer_session_check(self) -> bool:
        """Whether a lost session shows on any page, so the check page can wait: the profile
        names the login page by URL, and a site sends a logged-out visitor there."""
        return any(r.url_contains or r.url_regex for r in self.profile.login.logged_out)

    def check_login_redirect(self) -> bool:
        """On a route while the session is unproven: a page the profile's URL rules call the
        login page. URL rules only: whether an element is on show says something about the
        check page, not about every page of the site.

        The check page then decides (a URL like ``/user/login_log.php`` is not a login page):
        LoginRequiredError when the session is gone; True when it proved the session, and
        the run has left the route's page (the caller starts the route again)."""
        assert self.page is not None
        if self.session_proven:
            return False
        for rule in self.profile.login.logged_out:
            if (rule.url_contains or rule.url_regex) and rules.rule_holds(self.page, rule):
                self.check_session()
                return True
        return False

    def _session_gone(self) -> LoginRequiredError:
        assert self.page is not None
        return LoginRequiredError(
            f"the session for '{self.profile.id}' is missing or expired "
            f"(now at {self.page.url}). Log in again with: {self.login_command}"
        )

    # -- the entry --------------------------------------------------------------------------
    def capture_entry(
        self,
        locator: PWLocator,
        spec_text: str,
        *,
        name: str | None = None,
        context: str | None = None,
    ) -> Entry:
        """Measure, describe and photograph the entry (never click it)."""
        assert self.page is not None
        with contextlib.suppress(PlaywrightError):
            self.entry_style = entry_style(locator)  # before scrolling: is it below the fold?
        locator.scroll_into_view_if_needed()
        info: dict[str, Any] = locator.evaluate(
            """el => ({text: (el.innerText || el.textContent || '').trim(),
                       aria: el.getAttribute('aria-label'), title: el.getAttribute('title'),
                       href: el.href || el.getAttribute('href'),
                       doc: el.ownerDocument.location.href})"""
        )
        text = info["text"] or info["aria"] or info["title"] or spec_text
        aria = str(info["aria"] or "")
        if info["text"] and str(info["text"]).strip() in aria:
            text = aria  # "关闭" says less, as evidence, than its label "关闭自动续费"
        rect = locator.bounding_box()
        box = None if rect is None else {k: float(rect[k]) for k in ("x", "y", "width", "height")}
        text = " ".join(str(text).split())
        if not info["text"] and name:
            text = name  # an unlabelled switch is known by its accessible name
        entry = Entry(
            text=text,
            name=name if name and name != text else None,
            context=context,
            page_url=self.page.url,
            href=info["href"] or None,
            locator=spec_text,
            frame_url=info["doc"] if info["doc"] != self.page.url else None,
        )
        self.policy.never_open(entry.href)  # the entry's link is never followed, even by goto
        shots = self.recorder.capture_entry(self.page, box, entry)
        entry.screenshot = shots.get("annotated")
        entry.full_page_screenshot = shots.get("full")
        entry.crop_screenshot = shots.get("crop")
        return entry
