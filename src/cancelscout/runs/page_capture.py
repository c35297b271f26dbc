"""The page capturer: opens each requested evidence page and fixes it into the open bundle.

:class:`PageCapturer` works inside any run that has a step recorder and a browser context. For
each page it opens the URL (never clicking, hovering or typing; only the platform's hosts),
stops at an HTTP error, a login wall or a human check, and otherwise stores the full-page
screenshot, the DOM snapshot, the PDF print and the visible text (all masked) as one recorded
``capture`` step, with what :mod:`capture_findings` reads there and the annotated copies of
:mod:`capture_annotate`. It ends with a ``capture_summary`` step.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from cancelscout.analysis.findings import analyse, conclude, definite, held_back_warning
from cancelscout.analysis.kinds import infer_kind
from cancelscout.analysis.orders import merge_orders, orders_from_records, orders_from_tables
from cancelscout.analysis.pii import redact_text
from cancelscout.browser import rules
from cancelscout.browser import snapshots as shots
from cancelscout.browser.actions import Actions
from cancelscout.browser.activity import NetworkActivity, wait_for_content
from cancelscout.browser.page_signals import order_tables, settle
from cancelscout.browser.policy import NetworkPolicy
from cancelscout.browser.printing import masked, page_title, print_pdf, visible_text
from cancelscout.browser.records import page_records
from cancelscout.browser.runtime import browser_gone
from cancelscout.browser.watch import guard_page
from cancelscout.errors import BlockedActionError, SiteError, UsageError, first_line
from cancelscout.integrity.bundle import Artifact, iso_ms, utc_now
from cancelscout.profiles.evidence import EVIDENCE_KINDS
from cancelscout.profiles.schema import Profile
from cancelscout.result import (
    CapturedPage,
    CaptureResult,
    FlaggedClause,
    Order,
    PageKind,
    Promise,
    StatusFact,
)
from cancelscout.runs.capture_annotate import annotate
from cancelscout.runs.options import login_command
from cancelscout.runs.recorder import StepRecorder


@dataclass
class _Request:
    kind: PageKind | None  # None: infer from the content
    url: str


class PageCapturer:
    """Captures the requested pages into ``recorder``'s bundle through a page of ``context``.

    Keeps what it found in ``result`` as it goes, so a run that dies half-way still reports
    the pages it fixed.
    """

    def __init__(
        self,
        recorder: StepRecorder,
        context: BrowserContext,
        profile: Profile,
        policy: NetworkPolicy,
        *,
        timeout_s: float = 15.0,
        check_login: bool = True,
    ) -> None:
        self.recorder = recorder
        self.context = context
        self.profile = profile
        self.timeout_ms = timeout_s * 1000
        self.check_login = check_login and getattr(profile, "login", None) is not None
        self.policy = policy  # the run's: installed on ``context``, shared with its other steps
        self.actions = Actions(policy)
        self.masks = list(profile.mask)
        self.redact = recorder.redact
        self.result = CaptureResult(
            status="not_found",
            platform=profile.id,
            platform_name=profile.name,
            site=profile.base_url,
            bundle=str(recorder.bundle.root),
        )
        self._visited: set[str] = set()
        self._flags: set[str] = set()
        self._renew_from_rules: str = "unknown"
        self.page: Page | None = None
        self._activity: NetworkActivity | None = None

    # -- requests ---------------------------------------------------------------------------
    def requests(self, what: Sequence[str], urls: Sequence[str]) -> list[_Request]:
        pairs: list[_Request] = []
        evidence = getattr(self.profile, "evidence", None)
        if evidence is not None:
            for kind, path in evidence.pages(list(what)):
                pairs.append(_Request(kind, urljoin(self.profile.base_url, path)))
        for url in urls:
            pairs.append(_Request(None, urljoin(self.profile.base_url, url)))
        return pairs

    # -- the run ----------------------------------------------------------------------------
    def run(self, what: Sequence[str] = EVIDENCE_KINDS, urls: Sequence[str] = ()) -> CaptureResult:
        todo = self.requests(what, urls)
        if not todo:
            raise UsageError(
                f"nothing to capture: the profile '{self.profile.id}' lists no evidence pages "
                f"of kind {', '.join(what)}. Add an 'evidence:' section to the profile or pass "
                "--url."
            )
        self.page = self.context.new_page()
        self.policy.watch_page(self.page)  # page-scoped policies only (the user's own browser)
        self._activity = NetworkActivity(self.page)  # requests in flight, for late content
        guard_page(self.page, self._on_refused)
        already_blocked = len(self.policy.blocked)
        try:
            for request in todo:
                self._capture(request)
        finally:
            self.result.pages_visited = len(self._visited)
            self.result.blocked = self.policy.blocked[already_blocked:]
            self._summarise()
            with contextlib.suppress(PlaywrightError):
                self.page.close()
        return self.result

    def _on_refused(self, kind: str, text: str, url: str) -> None:
        # A dismissed dialog or a refused download is evidence too.
        if kind == "dialog":
            self.result.dialogs.append(text)
        else:
            self.policy.block("download", "GET", url, text)

    def _capture(self, request: _Request) -> None:
        page = self.page
        assert page is not None
        label = f"{request.kind or 'page'}: {request.url}"
        before = page.url
        held_from = len(self.policy.blocked)
        try:
            response = self.actions.open_page(page, request.url)
        except BlockedActionError as exc:
            self.recorder.record(
                None, "capture", label, outcome="failed", locator=request.url, error=exc.message
            )
            return
        except PlaywrightError as exc:
            self._failed(request, label, before, first_line(str(exc)), snap=False)
            if browser_gone(exc):
                raise SiteError(f"the browser failed: {first_line(str(exc))}") from None
            return
        moved_at = time.monotonic()
        settle(page)
        assert self._activity is not None
        content_warning = wait_for_content(page, self._activity, moved_at)
        held = held_back_warning(self.policy.blocked[held_from:])
        content_warning = "; ".join(w for w in (content_warning, held) if w) or None
        self._visited.add(page.url)
        status = response.status if response is not None else None
        if status is not None and status >= 400:
            self._failed(request, label, before, f"HTTP {status}", http_status=status)
            return
        if self.check_login and any(
            rules.rule_holds(page, rule) for rule in self.profile.login.logged_out
        ):
            self._flags.add("login_required")
            self._failed(
                request,
                label,
                before,
                f"the page needs a login (now at {page.url}); the session is missing or expired",
                http_status=status,
            )
            return
        challenge = rules.challenge_shown(page, self.profile)
        if challenge:
            self._flags.add("needs_human")
            self._failed(request, label, before, f"the site shows a human check ({challenge})")
            return
        self._capture_page(request, label, before, status, content_warning)

    def _failed(
        self,
        request: _Request,
        label: str,
        before: str,
        error: str,
        *,
        snap: bool = True,
        http_status: int | None = None,
    ) -> None:
        page = self.page if snap else None
        record = self.recorder.record(
            page,
            "capture",
            label,
            outcome="failed",
            locator=request.url,
            url_before=before,
            error=error,
            fields={"capture": {"kind": request.kind, "requested_url": request.url}},
        )
        self.result.pages.append(
            CapturedPage(
                url=str(record.get("url_after") or request.url),
                title=record.get("title"),
                kind=request.kind or "page",
                kind_source="profile" if request.kind else "inferred",
                requested_url=request.url,
                time=str(record["time"]),
                record=int(record["index"]),
                http_status=http_status,
                error=error,
            )
        )

    # -- one page ---------------------------------------------------------------------------
    def _capture_page(
        self,
        request: _Request,
        label: str,
        before: str,
        http_status: int | None,
        content_warning: str | None,
    ) -> None:
        """Fix the page into the bundle; ``content_warning``: it was empty or still loading
        when captured (a finding of the record and the page, never passed over in silence)."""
        page = self.page
        assert page is not None
        bundle = self.recorder.bundle
        index = bundle.next_index
        seen = self.recorder.redacted if self.redact else None
        artifacts: list[Artifact] = []
        files: dict[str, str] = {}
        errors: list[str] = []
        kind: PageKind = request.kind or "page"
        url = page.url
        slug = f"capture-{request.kind or 'page'}"

        def keep(key: str, folder: str, suffix: str, data: bytes, name: str = "") -> str:
            art = bundle.write(bundle.artifact_name(folder, index, name or slug, suffix), data)
            artifacts.append(art)
            files[key] = art.name
            return art.name

        def attempt(what: str, action: Callable[[], object]) -> None:
            # One failing artifact (a PDF in a headed browser, a detached frame) must not cost
            # the others: the record says what is missing and why.
            try:
                action()
            except PlaywrightError as exc:
                errors.append(f"{what}: {first_line(str(exc))}")

        if request.kind == "status":
            self._renew_from_rules = definite(
                self._renew_from_rules, rules.auto_renew_status(page, self.profile.auto_renew)
            )
        attempt(
            "screenshot",
            lambda: keep(
                "screenshot",
                "screenshots",
                ".png",
                shots.screenshot(
                    page,
                    self.masks,
                    redact=self.redact,
                    secret=self.recorder.secret,
                    full_page=True,
                ),
                f"{slug}-full",
            ),
        )

        def dom() -> None:
            html, count = shots.dom_snapshot(page, self.masks, seen, self.recorder.covered)
            self.recorder.masked_elements += count
            keep("dom", "dom", ".html", html)

        attempt("dom", dom)
        text = ""
        orders: list[Order] = []
        promises: list[Promise] = []
        flagged: list[FlaggedClause] = []
        facts: list[StatusFact] = []
        with masked(page, self.masks, redact=self.redact, secret=self.recorder.secret):
            text = redact_text(visible_text(page), seen)
            title = page_title(page)
            words = list(getattr(self.profile.evidence, "membership_items", []) or [])
            orders = merge_orders(
                orders_from_tables(order_tables(page), url, words or None),
                orders_from_records(page_records(page), url, words or None),
            )
            if request.kind is None:
                kind = infer_kind(text, title, orders)
            attempt("pdf", lambda: keep("pdf", "pdf", ".pdf", print_pdf(page)))
            if kind != "orders":
                orders = []
            promises, flagged, facts = analyse(text, kind, url, index)
            annotated, crops = annotate(
                page,
                promises,
                flagged,
                platform=self.profile.id,
                kind=kind,
                url=url,
                slug=slug,
                masks=self.masks,
                log=self.recorder.log,
            )
            for name, data in annotated:
                keep("annotated", "screenshots", ".png", data, name)
            for position, (name, data) in crops.items():
                flagged[position].crop = keep(f"crop-{position}", "screenshots", ".png", data, name)
        header = (
            f"# cancelscout capture · {kind}\n# URL: {url}\n# 时间 (UTC): {iso_ms(utc_now())}\n\n"
        )
        keep("text", "text", ".txt", (header + text).encode("utf-8"))
        for order in orders:
            order.record = index
        for promise in promises:
            promise.annotated = files.get("annotated")
        record = self.recorder.record(
            page,
            "capture",
            label,
            outcome="ok",
            locator=request.url,
            url_before=before,
            extra=artifacts,
            fields={
                "capture": {
                    "kind": kind,
                    "kind_source": "profile" if request.kind else "inferred",
                    "requested_url": request.url,
                    "http_status": http_status,
                    "files": {k: v for k, v in files.items() if not k.startswith("crop-")},
                    "promises": [p.model_dump(mode="json") for p in promises],
                    "clauses": [c.model_dump(mode="json") for c in flagged],
                    "orders": [o.model_dump(mode="json") for o in orders],
                    "status_facts": [f.model_dump(mode="json") for f in facts],
                },
                **({"capture_error": "; ".join(errors)} if errors else {}),
                **({"content_warning": content_warning} if content_warning else {}),
            },
        )
        self.result.pages.append(
            CapturedPage(
                url=url,
                title=record.get("title"),
                kind=kind,
                kind_source="profile" if request.kind else "inferred",
                screenshot=files.get("screenshot"),
                pdf=files.get("pdf"),
                requested_url=request.url,
                dom=files.get("dom"),
                text=files.get("text"),
                annotated=files.get("annotated"),
                time=str(record["time"]),
                record=index,
                http_status=http_status,
                error="; ".join(errors) or None,
                warning=content_warning,
            )
        )
        self.result.promises.extend(promises)
        self.result.clauses.extend(flagged)
        self.result.orders.extend(orders)
        self.result.status_facts.extend(facts)

    # -- the summary ------------------------------------------------------------------------
    def _summarise(self) -> None:
        result = self.result
        conclude(result, self._renew_from_rules, self._flags)
        if result.status == "login_required" and getattr(self.profile, "login", None) is not None:
            result.login_command = login_command(self.profile.id, None)
        self.recorder.record(
            None,
            "capture_summary",
            f"{len(result.pages)} pages captured",
            outcome=result.status,
            fields={
                "capture_result": result.model_dump(
                    mode="json", exclude={"bundle", "report", "timestamp", "duration_s"}
                )
            },
        )
