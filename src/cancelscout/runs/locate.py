"""locate-cancel: follow a profile's routes in the user's session and stop at the entry."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PWLocator

from cancelscout.analysis.scoring import KeywordModel
from cancelscout.browser import rules
from cancelscout.browser.candidates import collect
from cancelscout.browser.locators import Root, build, frame_root
from cancelscout.browser.page_signals import (
    dom_quiet,
    transitions_done,
    wait_for_change,
    watch_changes,
)
from cancelscout.browser.runtime import Runtime, browser_gone
from cancelscout.errors import (
    BlockedActionError,
    CancelscoutError,
    SiteError,
    action_failure,
    first_line,
)
from cancelscout.profiles.schema import Profile, Route, Step
from cancelscout.result import Entry, LocateResult, PathStep
from cancelscout.runs.options import LocateOptions
from cancelscout.runs.page_run import PageRun
from cancelscout.runs.search import Search
from cancelscout.runs.side_routes import note_side_routes
from cancelscout.textnorm import normalize

NEAREST = 5  # alternatives shown for a step that failed
ABSENT_GRACE_S = 2.0  # how long a settled page may still take to show a target, at most
ABSENT_QUIET_S = 1.0  # a page unchanged this long after settling shows all it will
ENTRY_HREFS_JS = "els => els.map(e => e.href || e.getAttribute('href')).filter(Boolean)"

__all__ = ["LocateOptions", "LocateRun", "locate_cancel"]


@dataclass
class _RouteOutcome:
    entry: Entry | None = None
    path: list[PathStep] = field(default_factory=list)
    clicks: int = 0
    hovers: int = 0
    auto_renew: str = "unknown"


class LocateRun(PageRun):
    """Profile mode: check the session, then try the profile's routes in order."""

    def __init__(self, profile: Profile, options: LocateOptions, runtime: Runtime) -> None:
        super().__init__(profile, options, runtime)
        self._site_errors: list[str] = []
        self._model: KeywordModel | None = None  # read side routes only when a route fails

    def _walk(self) -> None:
        # The check page costs a page load of its own. When a lost session shows on any page
        # (a redirect to the login URL), the routes go first and the check page is opened
        # only if no route reaches the entry: not_found must never stand for logged out.
        if not self.nav.can_defer_session_check():
            self.nav.check_session()
        self._follow_routes()

    def _follow_routes(self) -> None:
        for route in self.profile.routes:
            self.result.routes_tried.append(route.name)
            outcome = self._try_route(route)
            if outcome.entry is not None:
                self.result.status = "found"
                self.result.entry = outcome.entry
                self.result.path = outcome.path
                self.result.clicks = outcome.clicks
                self.result.hovers = outcome.hovers
                self.result.auto_renew = outcome.auto_renew  # type: ignore[assignment]
                self.result.route = route.name
                if not self.nav.session_proven:  # reaching the entry proved the session
                    self.nav.session_proven = True
                    self.recorder.log.info("session_ok", url=outcome.entry.page_url, via="entry")
                return
        if not self.nav.session_proven:
            self.nav.check_session()  # raises LoginRequiredError: absence needs a live session
        if self.profile.discovery_fallback:
            self._discover_instead()  # sets found or not_found, with its own evidence
            return
        if self._site_errors:
            # A route that died on a site fault proves nothing about absence.
            raise SiteError(self._site_errors[-1])
        self.result.status = "not_found"
        self.result.error = None
        self.recorder.record(
            self.nav.page,
            "stop",
            "not found",
            outcome="not_found",
            error=f"no route reached an entry ({len(self.profile.routes)} tried)",
        )

    def _note_side_routes(self) -> None:
        """A route that ends without its entry still reports the other ways out on its page
        (account deletion, 工单 / 客服 links, service numbers)."""
        if self.nav.page is None:
            return
        if self._model is None:
            self._model = KeywordModel()
        try:
            candidates = collect(self.nav.page)
        except PlaywrightError:
            return
        note_side_routes(self.nav.page, candidates, self.result, self._model)

    def _nearest(self, step: Step) -> list[dict[str, Any]]:
        """What the page offered instead of a failed step's element: the closest labels."""
        wanted = step.locator.human_text() if step.locator is not None else None
        if self.nav.page is None or not wanted:
            return []
        try:
            candidates = collect(self.nav.page)
        except PlaywrightError:
            return []
        goal = normalize(wanted)
        scored: dict[str, float] = {}
        for candidate in candidates:
            label = candidate.label
            if label and len(label) <= 40:
                ratio = SequenceMatcher(None, goal, normalize(label)).ratio()
                scored[label] = max(ratio, scored.get(label, 0.0))
        best = sorted(scored.items(), key=lambda item: -item[1])[:NEAREST]
        return [{"label": label, "similarity": round(ratio, 2)} for label, ratio in best]

    def _discover_instead(self) -> bool:
        """Profile drift: the routes no longer work, so search the site like discovery, on the
        same page, recorder and result (what the search measures is this run's)."""
        self.recorder.log.warning("profile_drift", routes=len(self.profile.routes))
        self.result.routes_tried.append("discovery")
        search = Search(
            self.nav, self.result, self.options, self.nav.url(self.profile.login.check_url)
        )
        self.nav.visit(search.start_url, "discovery fallback")
        found = search.discover()
        if found:
            self.result.mode = "discovery"
            self.result.route = "discovery (profile routes failed)"
        return found

    def _try_route(self, route: Route) -> _RouteOutcome:
        assert self.nav.page is not None
        outcome = _RouteOutcome()
        self.recorder.log.info("route_start", route=route.name)
        try:
            self.nav.visit(self.nav.url(route.start), route.name)
        except (SiteError, BlockedActionError) as exc:
            if isinstance(exc, SiteError):
                self._site_errors.append(exc.message)
            else:  # refused before any request: the step record says so (and carries it)
                self.recorder.record(
                    self.nav.page,
                    "goto",
                    route.name,
                    route=route.name,
                    locator=route.start,
                    outcome="failed",
                    error=exc.message,
                )
            self.recorder.log.warning("route_failed", route=route.name, error=exc.message)
            return outcome
        if self.nav.check_login_redirect():
            return self._try_route(route)  # the check page proved the session: start again
        outcome.path.append(PathStep(action="goto", label=route.name, url=self.nav.page.url))
        root: Root = self.nav.page
        for step in route.steps:
            try:
                root = self._run_step(step, root, route)
            except (SiteError, BlockedActionError, PlaywrightError) as exc:
                if isinstance(exc, PlaywrightError) and browser_gone(exc):
                    raise SiteError(f"the browser failed: {first_line(str(exc))}") from None
                message = (
                    exc.message if isinstance(exc, CancelscoutError) else action_failure(str(exc))
                )
                if isinstance(exc, SiteError):
                    self._site_errors.append(message)
                if not isinstance(exc, BlockedActionError):
                    self.result.failed_actions.append(
                        {
                            "action": step.action,
                            "label": step.breadcrumb(),
                            "url": self.nav.page.url,
                            "error": message,
                        }
                    )
                self.recorder.record(
                    self.nav.page,
                    step.action,
                    step.breadcrumb(),
                    route=route.name,
                    locator=_describe(step),
                    outcome="failed",
                    error=message,
                    fields={"nearest": self._nearest(step)},
                )
                if step.optional:
                    continue
                self._note_side_routes()
                self.recorder.log.warning("route_failed", route=route.name, error=message)
                return _RouteOutcome()
            if step.action in ("click", "hover"):
                outcome.path.append(
                    PathStep(action=step.action, label=step.breadcrumb(), url=self.nav.page.url)
                )
                outcome.clicks += step.action == "click"
                outcome.hovers += step.action == "hover"
            if self.nav.check_login_redirect():
                return self._try_route(route)  # the check page proved the session: start again
        found = self._find_target(route, root)
        if found is None:
            self._note_side_routes()
            self.recorder.record(
                self.nav.page,
                "target",
                route.name,
                route=route.name,
                outcome="not_found",
                locator=" | ".join(t.describe() for t in route.target),
            )
            return _RouteOutcome()
        locator, spec_text = found
        outcome.entry = self.nav.capture_entry(locator, spec_text)
        outcome.path.append(
            PathStep(action="entry", label=outcome.entry.text, url=self.nav.page.url)
        )
        outcome.auto_renew = rules.auto_renew_status(self.nav.page, self.profile.auto_renew)
        return outcome

    def _run_step(self, step: Step, root: Root, route: Route) -> Root:
        assert self.nav.page is not None
        timeout = step.timeout_s * 1000 if step.timeout_s else self.nav.timeout_ms
        before = self.nav.page.url
        if step.goto is not None:
            self._remember_entry_links(root)
            self.nav.visit(self.nav.url(step.goto), step.breadcrumb())
            return self.nav.page
        if step.frame is not None:
            root = (
                self.nav.page if step.frame == "main" else frame_root(self.nav.page, [step.frame])
            )
        elif step.scroll is not None:
            if isinstance(step.scroll, str):
                self.nav.actions.scroll_page(
                    self.nav.page, "bottom" if step.scroll == "bottom" else "top"
                )
            else:
                self.nav.actions.scroll_into_view(build(root, step.scroll), timeout)
        else:
            spec = step.locator
            assert spec is not None
            target = build(root, spec)
            target.wait_for(state="visible", timeout=timeout)
            if step.click is not None:
                if self.nav.click_element(target, timeout):
                    root = self.nav.page  # the click opened a new tab: later steps live there
            elif step.hover is not None:
                self.nav.hover_over(target, timeout)
                transitions_done(self.nav.page)  # the menu at rest, for the screenshot
        self.recorder.record(
            self.nav.page,
            step.action,
            step.breadcrumb(),
            route=route.name,
            locator=_describe(step),
            url_before=before,
            outcome="ok",
        )
        self.nav.check_challenge()
        return root

    def _remember_entry_links(self, root: Root) -> None:
        """Before a ``goto``: the links of any entry the page shows are never opened, so a
        profile cannot walk into the cancellation through its URL."""
        for route in self.profile.routes:
            for spec in route.target:
                with contextlib.suppress(PlaywrightError):
                    hrefs = build(root, spec).evaluate_all(ENTRY_HREFS_JS)
                    for href in hrefs:
                        self.policy.never_open(str(href))

    def _find_target(self, route: Route, root: Root) -> tuple[PWLocator, str] | None:
        """The route's target, once the page has settled. The element timeout is for slow
        pages, not absent targets: after the page is quiet, the target has until the page
        stays unchanged for ABSENT_QUIET_S (late widgets change it), at most ABSENT_GRACE_S;
        then the route has proved it is not there."""
        page = self.nav.page
        assert page is not None
        waited_for_quiet = False
        deadline = time.monotonic() + self.options.timeout_s
        while True:
            for spec in route.target:
                locator = build(root, spec)
                try:
                    if locator.is_visible():
                        return locator, spec.describe()
                except PlaywrightError:
                    continue
            if not waited_for_quiet:
                dom_quiet(page)  # bounded: rendering finished, or QUIET_MAX_MS
                waited_for_quiet = True
                deadline = min(deadline, time.monotonic() + ABSENT_GRACE_S)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            watch_changes(page)
            if not wait_for_change(page, 1000 * min(left, ABSENT_QUIET_S)):
                return None  # nothing moved for ABSENT_QUIET_S: settled, and not there


def _describe(step: Step) -> str:
    locator = step.locator
    if locator is not None:
        return locator.describe()
    return str(getattr(step, step.action))


def locate_cancel(profile: Profile, options: LocateOptions, runtime: Runtime) -> LocateResult:
    return LocateRun(profile, options, runtime).run()
