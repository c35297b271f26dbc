"""A run that walks one page through the site towards the entry: locate and discovery.

It adds to the run skeleton the :class:`Navigator` that drives the page and, once the body has
ended, the pages it saw and the friction of what it found, measured on that navigator.
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page

from cancelscout.analysis.friction import assess
from cancelscout.browser.runtime import Runtime
from cancelscout.profiles.schema import Profile
from cancelscout.result import LocateResult
from cancelscout.runs.base import RecordedRun
from cancelscout.runs.navigator import Navigator
from cancelscout.runs.options import LocateOptions


class PageRun(RecordedRun[LocateResult]):
    options: LocateOptions

    def __init__(self, profile: Profile, options: LocateOptions, runtime: Runtime) -> None:
        super().__init__(profile, options, runtime)
        self.nav = Navigator(
            self.profile,
            self.recorder,
            self.result,
            self.policy,
            timeout_s=options.timeout_s,
            login_command=self.login_command(),
        )

    def _new_result(self, bundle: str) -> LocateResult:
        return LocateResult(status="error", platform=self.profile.id, bundle=bundle)

    def _body(self, context: BrowserContext) -> None:
        self.nav.attach(context)
        self._walk()

    def _walk(self) -> None:
        raise NotImplementedError

    def _page(self) -> Page | None:
        return self.nav.page

    def _conclude(self) -> None:
        result = self.result
        result.pages_visited = len(self.nav.visited)
        if result.status not in ("found", "not_found"):
            return
        entry, style = result.entry, self.nav.entry_style
        result.friction = assess(
            result.path,
            style if entry is not None else None,
            pages_visited=result.pages_visited,
            in_frame=entry is not None and entry.frame_url is not None,
            icon_only=entry is not None and not (style or {}).get("text"),
        )
