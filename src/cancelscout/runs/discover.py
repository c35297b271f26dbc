"""Discovery: find the entry on a site nobody profiled (``locate-cancel --url``).

The run opens the start page in the user's session, makes sure it is not a login wall, and
hands the page to :class:`~cancelscout.runs.search.Search`, the bounded best-first search that
explains every choice in the evidence.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from cancelscout.browser.page_signals import looks_logged_out
from cancelscout.browser.runtime import Runtime
from cancelscout.errors import LoginRequiredError
from cancelscout.profiles.schema import Locator, Login, Profile, Route, Rule
from cancelscout.runs.options import LocateOptions
from cancelscout.runs.page_run import PageRun
from cancelscout.runs.search import Search
from cancelscout.runs.search_state import Action

__all__ = ["Action", "DiscoveryRun", "Search", "discover_cancel", "discovery_profile"]


def discovery_profile(url: str, *, name: str | None = None) -> Profile:
    """A profile for a site nobody profiled: its host only, generic login signs."""
    host = (urlsplit(url).hostname or "site").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", host).strip("-")[:60] or "site"
    return Profile(
        schema_version=1,
        id=slug,
        name=name or host,
        base_url=url,
        login=Login(
            url="/",
            check_url=url,
            logged_out=[Rule(url_contains="login"), Rule(url_contains="signin")],
        ),
        routes=[Route(name="discovery", target=[Locator(text="取消自动续费")])],
    )


class DiscoveryRun(PageRun):
    def __init__(
        self,
        profile: Profile,
        options: LocateOptions,
        runtime: Runtime,
        start_url: str | None = None,
        *,
        check_session: bool = False,
    ) -> None:
        super().__init__(profile, options, runtime)
        self.result.mode = "discovery"
        self.check_profile_session = check_session
        self.search = Search(
            self.nav,
            self.result,
            options,
            start_url or self.nav.url(self.profile.login.check_url),
        )

    def _walk(self) -> None:
        if self.check_profile_session:
            self.nav.check_session()
        self.nav.visit(self.search.start_url, "start")
        page = self.nav.page
        assert page is not None
        self.nav.at_rest()
        if looks_logged_out(page):
            raise LoginRequiredError(
                f"{page.url} asks to log in. Pass a logged-in session with --session or "
                "--user-data-dir."
            )
        self.search.discover()


def discover_cancel(url: str, options: LocateOptions, runtime: Runtime) -> DiscoveryRun:
    """Run discovery from ``url``; the run holds the result and what it learned."""
    run = DiscoveryRun(discovery_profile(url), options, runtime, url)
    run.run()
    return run
