"""The shared machinery of a recorded run in the user's browser session.

Every run never clicks an entry or a never-touch control (see ``guard.py``), never leaves the
platform's hosts, dismisses dialogs, refuses downloads, records every step into the evidence
bundle as it happens, and closes the bundle whatever ends the run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, Dialog, Download, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PWLocator

from cancelscout.engine import rules
from cancelscout.engine.friction import assess, entry_style
from cancelscout.engine.guard import ClickGuard, DomainPolicy
from cancelscout.engine.runtime import Runtime
from cancelscout.errors import (
    BlockedActionError,
    CancelscoutError,
    LoginRequiredError,
    NeedsHumanError,
    SiteError,
)
from cancelscout.evidence.finish import close_run_bundle
from cancelscout.evidence.recorder import StepRecorder
from cancelscout.evidence.trace import secrets_of_storage_state
from cancelscout.profiles.schema import Profile
from cancelscout.result import Entry, LocateResult, Status
from cancelscout.session import read_session

SETTLE_MS = 2500


@dataclass
class LocateOptions:
    out_dir: Path
    session_file: Path | None = None
    user_data_dir: Path | None = None
    timeout_s: float = 15.0
    base_url: str | None = None
    lang: str = "zh"
    profile_path: Path | None = None
    on_step: Callable[[dict[str, Any]], None] | None = None
    redact: bool = True  # mask phone, ID, bank card and e-mail values in every artifact
    trace: bool = True  # keep a (sanitised) Playwright trace in the bundle
    sign_key: Path | None = None
    tsa_url: str | None = None  # RFC 3161 timestamp authority for the manifest
    # Discovery budgets (a site nobody profiled).
    max_pages: int = 30
    max_actions: int = 80
    time_budget_s: float = 180.0


def with_base_url(profile: Profile, base_url: str | None) -> Profile:
    """The profile moved to a mirror domain: ``base_url`` replaced, its host allowed."""
    if not base_url:
        return profile
    host = urlsplit(base_url).hostname or ""
    domains = list(dict.fromkeys([*profile.allowed_domains, host.lower()]))
    return profile.model_copy(update={"base_url": base_url, "allowed_domains": domains})


def allowed_hosts(profile: Profile) -> list[str]:
    host = (urlsplit(profile.base_url).hostname or "").lower()
    return list(dict.fromkeys([host, *profile.allowed_domains]))


class BrowserRun:
    """One recorded browser run: context, safety handlers, steps, and a bundle closed whatever
    happens. Subclasses implement :meth:`_body` (profile routes, or discovery)."""

    def __init__(self, profile: Profile, options: LocateOptions, runtime: Runtime) -> None:
        self.profile = with_base_url(profile, options.base_url)
        self.options = options
        self.runtime = runtime
        self.timeout_ms = options.timeout_s * 1000
        self.guard = ClickGuard()
        self.policy = DomainPolicy(allowed_hosts(self.profile))
        self.recorder = StepRecorder.start(
            options.out_dir,
            self.profile,
            options.on_step,
            redact=options.redact,
            trace=options.trace,
        )
        self.result = LocateResult(
            status="error", platform=self.profile.id, bundle=str(self.recorder.bundle.root)
        )
        self.page: Page | None = None
        self._new_pages: list[Page] = []
        self._visited: set[str] = set()
        self._site_errors: list[str] = []
        self._entry_style: dict[str, Any] | None = None

    # -- set-up ---------------------------------------------------------------------------
    def _open_context(self) -> tuple[BrowserContext, list[str]]:
        storage = None
        secrets: list[str] = []
        if self.options.session_file is not None:
            storage = read_session(self.options.session_file)
            secrets = secrets_of_storage_state(storage)
        context = self.runtime.new_context(
            storage_state=storage, user_data_dir=self.options.user_data_dir
        )
        context.set_default_timeout(self.timeout_ms)
        self.policy.install(context)
        context.on("page", self._on_new_page)
        return context, secrets

    def _watch(self, page: Page) -> None:
        page.on("dialog", self._on_dialog)
        page.on("download", self._on_download)
        page.on("crash", lambda crashed: self.recorder.log.error("page_crashed", url=crashed.url))
        page.on(
            "framenavigated",
            lambda frame: self._visited.add(frame.url) if frame == frame.page.main_frame else None,
        )

    def _on_new_page(self, page: Page) -> None:
        self._watch(page)
        if self.page is not None:
            self._new_pages.append(page)  # a popup or target=_blank tab opened by a click

    def _on_download(self, download: Download) -> None:
        # Downloads are refused (the context does not accept them); the attempt is evidence.
        self.result.blocked.append(f"download of {download.suggested_filename} ({download.url})")
        self.recorder.log.warning("download_refused", url=download.url)
        with contextlib.suppress(PlaywrightError):
            download.cancel()

    def _on_dialog(self, dialog: Dialog) -> None:
        # Dismiss is the safe answer to every alert/confirm/prompt (it never confirms anything).
        self.result.dialogs.append(f"{dialog.type}: {dialog.message}")
        self.recorder.log.warning("dialog_dismissed", kind=dialog.type, message=dialog.message)
        with contextlib.suppress(PlaywrightError):
            dialog.dismiss()

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> LocateResult:
        started = time.monotonic()
        context: BrowserContext | None = None
        secrets: list[str] = []
        reraise: BaseException | None = None
        write_error: OSError | None = None
        try:
            context, secrets = self._open_context()
            self.recorder.start_trace(context)
            existing = list(context.pages)  # a persistent profile opens with a tab
            self.page = existing[0] if existing else context.new_page()
            if existing:
                self._watch(self.page)
            self._body()
        except OSError as exc:
            # The evidence folder cannot be written (disk full, folder removed): nothing more
            # can be recorded, and a run without its evidence is worth nothing.
            write_error = exc
        except CancelscoutError as exc:
            self._fail(exc)
        except PlaywrightError as exc:
            self._fail(SiteError(f"browser error: {first_line(str(exc))}"))
        except KeyboardInterrupt:
            # Ctrl-C, or SIGTERM turned into one by the CLI: close the bundle and report it
            # as a result (status interrupted), so the caller still learns where it is.
            self._fail(SiteError("interrupted before the run finished"), status="interrupted")
        except Exception as exc:
            # A bug: close the bundle so nothing recorded is lost, then let it surface.
            reraise = exc
            self._fail(SiteError(f"internal error: {exc!r}"))
        finally:
            self.result.pages_visited = len(self._visited)
            self.result.duration_s = round(time.monotonic() - started, 3)
            self.result.blocked.extend(f"navigation to {url}" for url in self.policy.blocked)
            self.result.redacted = self.recorder.redaction_counts()
            if self.result.status in ("found", "not_found"):
                entry = self.result.entry
                self.result.friction = assess(
                    self.result.path,
                    self._entry_style if entry is not None else None,
                    pages_visited=self.result.pages_visited,
                    in_frame=entry is not None and entry.frame_url is not None,
                    icon_only=entry is not None and not (self._entry_style or {}).get("text"),
                )
            close_run_bundle(
                self.recorder,
                context,
                self.result,
                secrets=secrets,
                options=self.options,
                browser_version=self.runtime.version(),
                write_error=write_error,
            )
        if reraise is not None:
            raise reraise
        return self.result

    def _fail(self, exc: CancelscoutError, status: Status | None = None) -> None:
        if status is None:
            kinds: dict[type, Status] = {
                LoginRequiredError: "login_required",
                NeedsHumanError: "needs_human",
            }
            status = kinds.get(type(exc), "error")
        self.result.status = status
        self.result.error = exc.message
        if status == "login_required":
            self.result.login_command = self._login_command()
        try:
            self.recorder.record(self.page, "stop", status, outcome=status, error=exc.message)
        except OSError:
            return  # the bundle cannot be written; run() reports that
        except (PlaywrightError, KeyboardInterrupt):
            # The browser is gone (crash, kill): record the stop without page artifacts.
            self.recorder.record(None, "stop", status, outcome=status, error=exc.message)

    def _login_command(self) -> str:
        command = f"cancelscout login {self.profile.id}"
        if self.options.base_url:
            command += f" --base-url {self.options.base_url}"
        return command

    def _url(self, path_or_url: str) -> str:
        return urljoin(self.profile.base_url, path_or_url)

    def _goto(self, url: str, label: str) -> None:
        assert self.page is not None
        if not self.policy.allows_url(url):
            raise BlockedActionError(f"refused to open {url}: not one of the platform's hosts")
        before = self.page.url
        try:
            response = self.page.goto(url, wait_until="domcontentloaded")
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
        self._settle()
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
        self._check_challenge()

    def _settle(self) -> None:
        assert self.page is not None
        # A page stuck on a slow image is not an error: the next step's own wait handles it.
        with contextlib.suppress(PlaywrightError):
            self.page.wait_for_load_state("load", timeout=SETTLE_MS)

    def _check_challenge(self) -> None:
        assert self.page is not None
        found = rules.challenge_shown(self.page, self.profile)
        if found:
            raise NeedsHumanError(
                f"the site shows a human check ({found}). Open it with --headed, pass the check, "
                "and run again."
            )

    def _check_session(self) -> None:
        assert self.page is not None
        self._goto(self._url(self.profile.login.check_url), "check session")
        if not rules.logged_in(self.page, self.profile.login, min(self.timeout_ms, 8000)):
            raise LoginRequiredError(
                f"the session for '{self.profile.id}' is missing or expired "
                f"(now at {self.page.url}). Log in again with: {self._login_command()}"
            )
        self.recorder.log.info("session_ok", url=self.page.url)

    def _after_click(self) -> None:
        assert self.page is not None
        try:
            self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
        except PlaywrightError:
            raise SiteError(
                f"{self.page.url} did not finish loading within {self.options.timeout_s:g} s"
            ) from None
        if self._new_pages:
            # A new tab (target=_blank, window.open) that passed the same domain policy.
            self.page = self._new_pages.pop()
            self._new_pages.clear()
            self.recorder.log.info("switched_to_new_tab", url=self.page.url)
            with contextlib.suppress(PlaywrightError):
                self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
        self._settle()

    def _click(self, target: PWLocator, timeout: float) -> bool:
        """Click ``target`` after the safety check; True when the click opened a new tab."""
        assert self.page is not None
        page_before = self.page
        info = self.guard.check(target)
        if info.get("target") == "_blank":
            with self.page.context.expect_page(timeout=timeout):
                target.click(timeout=timeout)
        else:
            target.click(timeout=timeout)
        self._after_click()
        return self.page is not page_before

    def _body(self) -> None:
        raise NotImplementedError

    def _capture_entry(self, locator: PWLocator, spec_text: str) -> Entry:
        assert self.page is not None
        with contextlib.suppress(PlaywrightError):
            self._entry_style = entry_style(locator)  # before scrolling: is it below the fold?
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
        entry = Entry(
            text=" ".join(str(text).split()),
            page_url=self.page.url,
            href=info["href"] or None,
            locator=spec_text,
            frame_url=info["doc"] if info["doc"] != self.page.url else None,
        )
        shots = self.recorder.capture_entry(self.page, box, entry)
        entry.screenshot = shots.get("annotated")
        entry.full_page_screenshot = shots.get("full")
        entry.crop_screenshot = shots.get("crop")
        return entry


_FATAL_BROWSER_ERRORS = ("Target crashed", "has been closed", "Connection closed")


def browser_gone(exc: PlaywrightError) -> bool:
    """A crash or a closed browser, as opposed to a locator that did not match."""
    return any(marker in str(exc) for marker in _FATAL_BROWSER_ERRORS)


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
