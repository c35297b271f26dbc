"""capture: fix the membership's evidence pages into the bundle, in the user's own session.

For each page a profile lists under ``evidence:`` (and each ``--url``) the engine opens the URL —
it never clicks, hovers or types — and stores, hashed and chained like every step: a full-page
screenshot, a PDF print, the DOM snapshot and the visible text (all masked), plus what it read
there: promise words (promo pages, with an annotated copy), challengeable clauses (with a crop
of each sentence outlined), purchase records (order pages) and the auto-renew status and next
charge date. :func:`capture_pages` works inside any run that has a recorder and a browser
context, so ``locate-cancel --capture`` puts both jobs in one bundle.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, Dialog, Download, Page
from playwright.sync_api import Error as PlaywrightError

from cancelscout.engine import rules
from cancelscout.engine.guard import DomainPolicy
from cancelscout.engine.runtime import Runtime
from cancelscout.errors import CancelscoutError, SiteError, UsageError
from cancelscout.evidence import capture as shots
from cancelscout.evidence import clauses as clause_rules
from cancelscout.evidence.bundle import Artifact, iso_ms, utc_now
from cancelscout.evidence.finish import finish_bundle
from cancelscout.evidence.highlight import (
    CLAUSE_COLOR,
    PROMISE_COLOR,
    crop_around,
    find_boxes,
    mark,
    overlay,
    page_size,
    plain_box,
)
from cancelscout.evidence.kinds import infer_kind
from cancelscout.evidence.orders import extract_orders
from cancelscout.evidence.pdf import masked, print_pdf, visible_text
from cancelscout.evidence.promises import find_promises
from cancelscout.evidence.recorder import StepRecorder
from cancelscout.evidence.redact import redact_text
from cancelscout.evidence.status import read_status
from cancelscout.evidence.trace import secrets_of_storage_state
from cancelscout.profiles.evidence import EVIDENCE_KINDS
from cancelscout.profiles.schema import Profile
from cancelscout.result import (
    CapturedPage,
    CaptureResult,
    CaptureStatus,
    FlaggedClause,
    Grade,
    Order,
    PageKind,
    Promise,
    StatusFact,
)
from cancelscout.session import read_session

WHAT_CHOICES = (*EVIDENCE_KINDS, "all")
SETTLE_MS = 2500
MAX_CROPS = 40  # clause crops per page: enough for any agreement, bounded for a hostile one


def parse_what(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``promo,agreement`` → ('promo', 'agreement'); ``all`` (the default) → every kind."""
    items: list[str] = []
    for part in [value] if isinstance(value, str) or value is None else list(value):
        items.extend(p.strip() for p in (part or "all").split(",") if p.strip())
    unknown = [i for i in items if i not in WHAT_CHOICES]
    if unknown:
        raise UsageError(
            f"--what: unknown kind(s) {', '.join(unknown)}; choose from {', '.join(WHAT_CHOICES)}."
        )
    return EVIDENCE_KINDS if "all" in items or not items else tuple(dict.fromkeys(items))


def profile_hosts(profile: Profile) -> list[str]:
    host = (urlsplit(profile.base_url).hostname or "").lower()
    return list(dict.fromkeys([host, *profile.allowed_domains]))


def with_base_url(profile: Profile, base_url: str | None) -> Profile:
    """The profile moved to a mirror address: ``base_url`` replaced, its host allowed."""
    if not base_url:
        return profile
    host = (urlsplit(base_url).hostname or "").lower()
    domains = list(dict.fromkeys([*profile.allowed_domains, host]))
    return profile.model_copy(update={"base_url": base_url, "allowed_domains": domains})


def url_profile(urls: Sequence[str]) -> Profile:
    """A stand-in profile for ``capture --url`` without a profile: the platform is the URL's
    host, and navigation may reach that host only."""
    hosts = {(urlsplit(u).hostname or "").lower() for u in urls}
    schemes = {urlsplit(u).scheme for u in urls}
    if not urls or "" in hosts or not schemes <= {"http", "https"}:
        raise UsageError("--url needs absolute http(s) URLs, e.g. https://shop.example.com/vip")
    if len(hosts) > 1:
        raise UsageError(
            f"--url pages span several hosts ({', '.join(sorted(hosts))}); without a profile "
            "capture stays on one host. Capture each host separately, or write a profile."
        )
    host = hosts.pop()
    first = urlsplit(urls[0])
    # model_construct: no routes or login rules exist for a host nobody described.
    return Profile.model_construct(
        schema_version=1,
        id=host,
        name=host,
        base_url=f"{first.scheme}://{first.netloc}/",
        allowed_domains=[host],
        login=None,  # type: ignore[arg-type]
        routes=[],
        auto_renew=None,
        challenge=[],
        mask=[],
        evidence=None,
    )


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
        *,
        timeout_s: float = 15.0,
        check_login: bool = True,
    ) -> None:
        self.recorder = recorder
        self.context = context
        self.profile = profile
        self.timeout_ms = timeout_s * 1000
        self.check_login = check_login and getattr(profile, "login", None) is not None
        self.policy = DomainPolicy(profile_hosts(profile))
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
        self.page.on("dialog", self._on_dialog)
        self.page.on("download", self._on_download)
        try:
            for request in todo:
                self._capture(request)
        finally:
            self.result.pages_visited = len(self._visited)
            self._summarise()
            with contextlib.suppress(PlaywrightError):
                self.page.close()
        return self.result

    def _on_dialog(self, dialog: Dialog) -> None:
        # Dismiss is the safe answer (it never confirms anything); the dialog is evidence.
        self.result.dialogs.append(f"{dialog.type}: {dialog.message}")
        with contextlib.suppress(PlaywrightError):
            dialog.dismiss()

    def _on_download(self, download: Download) -> None:
        self.result.blocked.append(f"download of {download.suggested_filename} ({download.url})")
        with contextlib.suppress(PlaywrightError):
            download.cancel()

    def _capture(self, request: _Request) -> None:
        page = self.page
        assert page is not None
        label = f"{request.kind or 'page'}: {request.url}"
        if not self.policy.allows_url(request.url):
            message = f"refused to open {request.url}: not one of the platform's hosts"
            self.result.blocked.append(message)
            self.recorder.record(
                None, "capture", label, outcome="failed", locator=request.url, error=message
            )
            return
        before = page.url
        try:
            response = page.goto(request.url, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            self._failed(request, label, before, _first_line(str(exc)), snap=False)
            if _browser_gone(exc):
                raise SiteError(f"the browser failed: {_first_line(str(exc))}") from None
            return
        with contextlib.suppress(PlaywrightError):
            page.wait_for_load_state("load", timeout=SETTLE_MS)
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
        self._capture_page(request, label, before, status)

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
        self, request: _Request, label: str, before: str, http_status: int | None
    ) -> None:
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
                errors.append(f"{what}: {_first_line(str(exc))}")

        if request.kind == "status":
            self._renew_from_rules = _definite(
                self._renew_from_rules, rules.auto_renew_status(page, self.profile.auto_renew)
            )
        attempt(
            "screenshot",
            lambda: keep(
                "screenshot",
                "screenshots",
                ".png",
                shots.screenshot(page, self.masks, redact=self.redact, full_page=True),
                f"{slug}-full",
            ),
        )

        def dom() -> None:
            html, count = shots.dom_snapshot(page, self.masks, seen)
            self.recorder.masked_elements += count
            keep("dom", "dom", ".html", html)

        attempt("dom", dom)
        text = ""
        orders: list[Order] = []
        promises: list[Promise] = []
        flagged: list[FlaggedClause] = []
        facts: list[StatusFact] = []
        with masked(page, self.masks, redact=self.redact):
            text = redact_text(visible_text(page), seen)
            title = _title(page)
            words = list(getattr(self.profile.evidence, "membership_items", []) or [])
            orders = extract_orders(page, url, words or None)
            if request.kind is None:
                kind = infer_kind(text, title, orders)
            attempt("pdf", lambda: keep("pdf", "pdf", ".pdf", print_pdf(page)))
            if kind != "orders":
                orders = []
            promises, flagged, facts = _analyse(text, kind, url, index)
            annotated, crops = self._annotate(page, promises, flagged, kind, url, index, slug)
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
            )
        )
        self.result.promises.extend(promises)
        self.result.clauses.extend(flagged)
        self.result.orders.extend(orders)
        self.result.status_facts.extend(facts)

    def _annotate(
        self,
        page: Page,
        promises: list[Promise],
        flagged: list[FlaggedClause],
        kind: str,
        url: str,
        index: int,
        slug: str,
    ) -> tuple[list[tuple[str, bytes]], dict[int, tuple[str, bytes]]]:
        """The outlined full-page copy and one crop per flagged sentence (inside masking)."""
        if not promises and not flagged:
            return [], {}
        needles: list[str | tuple[str, str]] = [(p.text, p.phrase) for p in promises]
        needles += [c.text for c in flagged]
        found = find_boxes(page, needles, max_each=3)
        marks: list[dict[str, Any]] = []
        for promise, boxes in zip(promises, found[: len(promises)], strict=True):
            if boxes:
                promise.box = plain_box(boxes[0])
                marks.extend(mark(b, "", PROMISE_COLOR) for b in boxes)
        numbered: dict[tuple[float, ...], dict[str, Any]] = {}
        for number, (clause, boxes) in enumerate(
            zip(flagged, found[len(promises) :], strict=True), 1
        ):
            if boxes:
                clause.box = plain_box(boxes[0])
                key = tuple(clause.box.values())
                if key in numbered:  # one sentence, several rules: one outline, "3,4"
                    numbered[key]["label"] += f",{number}"
                else:
                    numbered[key] = mark(boxes[0], str(number), CLAUSE_COLOR)
        marks.extend(numbered.values())
        if not marks:
            return [], {}
        counts = [
            f"{len(promises)} 处宣传承诺（黄色）" if promises else "",
            f"{len(flagged)} 条可质疑条款（红框编号）" if flagged else "",
        ]
        caption = (
            f"cancelscout · {self.profile.id} · {kind}: {' · '.join(c for c in counts if c)}\n"
            f"{url}\n{iso_ms(utc_now())}"
        )
        annotated: list[tuple[str, bytes]] = []
        crops: dict[int, tuple[str, bytes]] = {}
        size = page_size(page)
        with overlay(page, marks, caption):
            try:
                annotated.append(
                    (f"{slug}-annotated", shots.screenshot(page, self.masks, full_page=True))
                )
                for position, clause in enumerate(flagged[:MAX_CROPS]):
                    if clause.box is None:
                        continue
                    clip = crop_around(clause.box, size)
                    data = shots.screenshot(page, self.masks, full_page=True, clip=clip)
                    crops[position] = (f"{slug}-clause-{position + 1}", data)
            except PlaywrightError as exc:
                self.recorder.log.warning("annotation_failed", error=_first_line(str(exc)))
        return annotated, crops

    # -- the summary ------------------------------------------------------------------------
    def _summarise(self) -> None:
        result = self.result
        facts = sorted(
            result.status_facts,
            key=lambda f: 0 if _page_kind(result, f.record) == "status" else 1,
        )
        first: dict[str, StatusFact] = {}
        for fact in facts:
            first.setdefault(fact.name, fact)
        renew = self._renew_from_rules
        if renew == "unknown" and "auto_renew" in first:
            renew = first["auto_renew"].value
        result.auto_renew = renew  # type: ignore[assignment]
        if "next_charge" in first:
            result.next_charge = first["next_charge"].value
        scanned = any(p.kind in ("agreement", "promo") and p.text for p in result.pages)
        hits = [
            clause_rules.Hit(clause_rules.default_rules().rule(c.rule), c.text)
            for c in result.clauses
        ]
        graded = clause_rules.grade(hits, scanned)
        result.grade = Grade(grade=graded[0], reason=graded[1]) if graded else None
        result.status = self._status()
        if result.status == "login_required" and getattr(self.profile, "login", None) is not None:
            result.login_command = f"cancelscout login {self.profile.id}"
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

    def _status(self) -> CaptureStatus:
        if "needs_human" in self._flags:
            return "needs_human"
        if "login_required" in self._flags:
            return "login_required"
        if any(p.error is None or p.screenshot for p in self.result.pages if p.text):
            return "captured"
        return "not_found"


def _analyse(
    text: str, kind: str, url: str, index: int
) -> tuple[list[Promise], list[FlaggedClause], list[StatusFact]]:
    promises: list[Promise] = []
    if kind == "promo":
        promises = [
            Promise(phrase=hit.phrase, page_url=url, text=hit.sentence, record=index)
            for hit in find_promises(text)
        ]
    flagged: list[FlaggedClause] = []
    if kind in ("agreement", "promo"):
        flagged = [
            FlaggedClause(
                rule=hit.rule.id,
                text=hit.sentence,
                page_url=url,
                severity=hit.rule.severity,
                title=hit.rule.title,
                explanation=hit.rule.explanation,
                basis=list(hit.rule.basis),
                record=index,
            )
            for hit in clause_rules.scan(text, kind)
        ]
    facts = [
        StatusFact(name=f.name, value=f.value, text=f.line, page_url=url, record=index)
        for f in read_status(text)
    ]
    return promises, flagged, facts


def _page_kind(result: CaptureResult, record: int | None) -> str | None:
    return next((p.kind for p in result.pages if p.record == record), None)


def _definite(current: str, new: str) -> str:
    return new if current == "unknown" else current


def _title(page: Page) -> str:
    try:
        return page.title()
    except PlaywrightError:
        return ""


_FATAL_BROWSER_ERRORS = ("Target crashed", "has been closed", "Connection closed")


def _browser_gone(exc: PlaywrightError) -> bool:
    return any(marker in str(exc) for marker in _FATAL_BROWSER_ERRORS)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def capture_pages(
    recorder: StepRecorder,
    context: BrowserContext,
    profile: Profile,
    what: Sequence[str] = EVIDENCE_KINDS,
    urls: Sequence[str] = (),
    *,
    timeout_s: float = 15.0,
) -> CaptureResult:
    """Capture ``profile``'s evidence pages of the kinds in ``what`` (and ``urls``) into
    ``recorder``'s open bundle, through a new page of ``context``. The caller finishes the
    bundle. Records one ``capture`` step per page and a ``capture_summary`` step at the end."""
    return PageCapturer(recorder, context, profile, timeout_s=timeout_s).run(what, urls)


# -- the standalone command -----------------------------------------------------------------


@dataclass
class CaptureOptions:
    out_dir: Path
    what: tuple[str, ...] = EVIDENCE_KINDS
    urls: tuple[str, ...] = ()
    session_file: Path | None = None
    user_data_dir: Path | None = None
    timeout_s: float = 15.0
    lang: str = "zh"
    profile_path: Path | None = None
    on_step: Callable[[dict[str, Any]], None] | None = None
    redact: bool = True
    trace: bool = True
    sign_key: Path | None = None
    tsa_url: str | None = None
    with_profile: bool = True  # False: ``--url`` alone, the platform is the URL's host


class CaptureRun:
    def __init__(self, profile: Profile, options: CaptureOptions, runtime: Runtime) -> None:
        self.profile = profile
        self.options = options
        self.runtime = runtime
        self.recorder = StepRecorder.start(
            options.out_dir,
            profile,
            options.on_step,
            redact=options.redact,
            trace=options.trace,
        )
        self.capturer: PageCapturer | None = None
        self.result = CaptureResult(
            status="error",
            platform=profile.id,
            platform_name=profile.name,
            site=profile.base_url,
            bundle=str(self.recorder.bundle.root),
        )

    def _open_context(self) -> tuple[BrowserContext, list[str]]:
        storage = None
        secrets: list[str] = []
        if self.options.session_file is not None:
            storage = read_session(self.options.session_file)
            secrets = secrets_of_storage_state(storage)
        context = self.runtime.new_context(
            storage_state=storage, user_data_dir=self.options.user_data_dir
        )
        context.set_default_timeout(self.options.timeout_s * 1000)
        policy = DomainPolicy(profile_hosts(self.profile))
        policy.install(context)
        self._policy = policy
        return context, secrets

    def run(self) -> CaptureResult:
        started = time.monotonic()
        context: BrowserContext | None = None
        secrets: list[str] = []
        reraise: BaseException | None = None
        write_error: OSError | None = None
        try:
            context, secrets = self._open_context()
            self.recorder.start_trace(context)
            self.capturer = PageCapturer(
                self.recorder,
                context,
                self.profile,
                timeout_s=self.options.timeout_s,
                check_login=self.options.with_profile,
            )
            self.result = self.capturer.run(self.options.what, self.options.urls)
        except OSError as exc:
            write_error = exc
        except UsageError:
            raise
        except CancelscoutError as exc:
            self._fail(exc.message)
        except PlaywrightError as exc:
            self._fail(f"browser error: {_first_line(str(exc))}")
        except KeyboardInterrupt:
            self._fail("interrupted before the run finished", status="interrupted")
        except Exception as exc:
            reraise = exc
            self._fail(f"internal error: {exc!r}")
        finally:
            self.result.duration_s = round(time.monotonic() - started, 3)
            policy = getattr(self, "_policy", None)
            if policy is not None:
                self.result.blocked.extend(f"navigation to {url}" for url in policy.blocked)
            self.result.redacted = self.recorder.redaction_counts()
            try:
                finish_bundle(
                    self.recorder,
                    context,
                    self.result,
                    secrets=secrets,
                    profile_path=self.options.profile_path,
                    browser_version=self.runtime.version(),
                    lang=self.options.lang,
                    sign_key=self.options.sign_key,
                    tsa_url=self.options.tsa_url,
                )
            except OSError as exc:
                write_error = write_error or exc
        if write_error is not None:
            raise SiteError(
                f"cannot write the evidence bundle {self.recorder.bundle.root}: "
                f"{write_error.strerror or write_error}. Free some space or choose another --out."
            )
        if reraise is not None:
            raise reraise
        return self.result

    def _fail(self, message: str, status: CaptureStatus = "error") -> None:
        if self.capturer is not None:
            self.result = self.capturer.result  # keep every page fixed before the failure
        self.result.status = status
        self.result.error = message
        with contextlib.suppress(OSError, PlaywrightError):
            self.recorder.record(None, "stop", status, outcome=status, error=message)


def capture(profile: Profile, options: CaptureOptions, runtime: Runtime) -> CaptureResult:
    return CaptureRun(profile, options, runtime).run()
