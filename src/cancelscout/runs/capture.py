"""capture: fix the membership's evidence pages into the bundle, in the user's own session.

For each page a profile lists under ``evidence:`` (and each ``--url``) the engine opens the URL
— it never clicks, hovers or types — and stores, hashed and chained like every step: a full-page
screenshot, a PDF print, the DOM snapshot and the visible text (all masked), plus what it read
there: promise words (promo pages, with an annotated copy), challengeable clauses (with a crop
of each sentence outlined), purchase records (order pages) and the auto-renew status and next
charge date. A :class:`PageCapturer` works inside any run that has a recorder and a browser
context, so ``locate-cancel --capture`` puts both jobs in one bundle.

This module is the standalone ``capture`` command: :class:`CaptureRun` and :func:`capture`, a
recorded run (``runs/base.py``) whose body is a :class:`PageCapturer`. The parts live in
:mod:`capture_scope` (the ``--what`` kinds and the stand-in profile of ``--url``),
:mod:`page_capture` (one page at a time), :mod:`analysis.findings` (what the text says) and
:mod:`capture_annotate` (the outlined copies).
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext

from cancelscout.browser.runtime import Runtime
from cancelscout.profiles.schema import Profile
from cancelscout.result import CaptureResult
from cancelscout.runs.base import RecordedRun
from cancelscout.runs.capture_scope import WHAT_CHOICES, parse_what, url_profile
from cancelscout.runs.options import CaptureOptions
from cancelscout.runs.page_capture import PageCapturer

__all__ = [
    "WHAT_CHOICES",
    "CaptureOptions",
    "CaptureRun",
    "PageCapturer",
    "capture",
    "parse_what",
    "url_profile",
]


class CaptureRun(RecordedRun[CaptureResult]):
    """Open each evidence page in the user's session and fix it into a bundle of its own."""

    options: CaptureOptions
    raises_usage_errors = True  # "nothing to capture" is the caller's mistake

    def __init__(self, profile: Profile, options: CaptureOptions, runtime: Runtime) -> None:
        super().__init__(profile, options, runtime)
        self.capturer: PageCapturer | None = None

    def _new_result(self, bundle: str) -> CaptureResult:
        return CaptureResult(
            status="error",
            platform=self.profile.id,
            platform_name=self.profile.name,
            site=self.profile.base_url,
            bundle=bundle,
        )

    def _body(self, context: BrowserContext) -> None:
        self.capturer = PageCapturer(
            self.recorder,
            context,
            self.profile,
            self.policy,
            timeout_s=self.options.timeout_s,
            check_login=self.options.with_profile,
        )
        self.result = self.capturer.run(self.options.what, self.options.urls)

    def _partial_result(self) -> CaptureResult:
        # Keep every page fixed before the failure.
        return self.capturer.result if self.capturer is not None else self.result


def capture(profile: Profile, options: CaptureOptions, runtime: Runtime) -> CaptureResult:
    return CaptureRun(profile, options, runtime).run()
