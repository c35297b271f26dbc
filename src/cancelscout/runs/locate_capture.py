"""``locate-cancel --capture``: locate the entry, then capture the evidence pages, one bundle.

The locate run's body (session check, then the profile's routes) is followed by
:class:`PageCapturer` through the same recorder and browser context, before the run skeleton
(``runs/base.py``) closes the bundle. A capture failure never turns a found entry into an error:
it is recorded in the capture result, and the locate result stays what the routes proved.
"""

from __future__ import annotations

from collections.abc import Sequence

from playwright.sync_api import Error as PlaywrightError

from cancelscout.browser.runtime import Runtime
from cancelscout.errors import CancelscoutError, first_line
from cancelscout.profiles.evidence import EVIDENCE_KINDS
from cancelscout.profiles.schema import Profile
from cancelscout.result import CaptureResult, LocateResult
from cancelscout.runs.locate import LocateOptions, LocateRun
from cancelscout.runs.page_capture import PageCapturer


class _LocateThenCapture(LocateRun):
    def __init__(
        self,
        profile: Profile,
        options: LocateOptions,
        runtime: Runtime,
        what: Sequence[str],
        urls: Sequence[str],
    ) -> None:
        super().__init__(profile, options, runtime)
        self.what = tuple(what)
        self.urls = tuple(urls)
        self.capture: CaptureResult | None = None

    def _walk(self) -> None:
        super()._walk()  # raises on login_required / needs_human / site errors: no capture then
        assert self.nav.page is not None
        capturer = PageCapturer(
            self.recorder,
            self.nav.page.context,
            self.profile,
            self.policy,
            timeout_s=self.options.timeout_s,
        )
        try:
            self.capture = capturer.run(self.what, self.urls)
        except (CancelscoutError, PlaywrightError) as exc:
            self.capture = capturer.result
            self.capture.status = "error"
            self.capture.error = getattr(exc, "message", None) or first_line(str(exc))


def locate_and_capture(
    profile: Profile,
    options: LocateOptions,
    runtime: Runtime,
    what: Sequence[str] = EVIDENCE_KINDS,
    urls: Sequence[str] = (),
) -> tuple[LocateResult, CaptureResult | None]:
    run = _LocateThenCapture(profile, options, runtime, what, urls)
    result = run.run()
    if run.capture is not None:
        run.capture.bundle = result.bundle
        run.capture.report = result.report
    return result, run.capture
