"""capture: fix the membership's evidence pages into the bundle, in the user's own session.

For each page a profile lists under ``evidence:`` (and each ``--url``) the engine opens the URL —
it never clicks, hovers or types — and stores, hashed and chained like every step: a full-page
screenshot, a PDF print, the DOM snapshot and the visible text (all masked), plus what it read
there: promise words (promo pages, with an annotated copy), challengeable clauses (with a crop
of each sentence outlined), purchase records (order pages) and the auto-renew status and next
charge date. :func:`capture_pages` works inside any run that has a recorder and a browser
context, so ``locate-cancel --capture`` puts both jobs in one bundle.

This module is the standalone ``capture`` command: :class:`CaptureOptions`, :class:`CaptureRun`
and :func:`capture`, which open the browser context, run a :class:`PageCapturer` and finish the
bundle whatever ends the run. The parts live in :mod:`capture_scope` (the ``--what`` kinds, the
hosts and profiles), :mod:`page_capture` (one page at a time), :mod:`capture_findings` (what the
text says) and :mod:`capture_annotate` (the outlined copies); their public names are re-exported
here.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext
from playwright.sync_api import Error as PlaywrightError

from cancelscout.engine.browser_run import first_line
from cancelscout.engine.capture_annotate import MAX_CROPS
from cancelscout.engine.capture_scope import (
    WHAT_CHOICES,
    parse_what,
    profile_hosts,
    url_profile,
    with_base_url,
)
from cancelscout.engine.guard import DomainPolicy
from cancelscout.engine.page_capture import SETTLE_MS, PageCapturer, capture_pages
from cancelscout.engine.runtime import Runtime
from cancelscout.errors import CancelscoutError, UsageError
from cancelscout.evidence.finish import close_run_bundle
from cancelscout.evidence.recorder import StepRecorder
from cancelscout.evidence.trace import secrets_of_storage_state
from cancelscout.profiles.evidence import EVIDENCE_KINDS
from cancelscout.profiles.schema import Profile
from cancelscout.result import CaptureResult, CaptureStatus
from cancelscout.session import read_session

__all__ = [
    "MAX_CROPS",
    "SETTLE_MS",
    "WHAT_CHOICES",
    "CaptureOptions",
    "CaptureRun",
    "PageCapturer",
    "capture",
    "capture_pages",
    "parse_what",
    "profile_hosts",
    "url_profile",
    "with_base_url",
]

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
            self._fail(f"browser error: {first_line(str(exc))}")
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

    def _fail(self, message: str, status: CaptureStatus = "error") -> None:
        if self.capturer is not None:
            self.result = self.capturer.result  # keep every page fixed before the failure
        self.result.status = status
        self.result.error = message
        with contextlib.suppress(OSError, PlaywrightError):
            self.recorder.record(None, "stop", status, outcome=status, error=message)


def capture(profile: Profile, options: CaptureOptions, runtime: Runtime) -> CaptureResult:
    return CaptureRun(profile, options, runtime).run()
