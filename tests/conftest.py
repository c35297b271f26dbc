"""Shared fixtures: local fixture sites, their profiles, logged-in sessions, one browser.

Every site fixture checks on teardown that nothing dangerous was triggered: across the whole
suite, the sites' state endpoints prove no run cancelled, paid or renewed anything.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright

from cancelscout.browser.launch import launch_args, resolve_browser
from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.profiles.loader import load_profile
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.result import LocateResult
from cancelscout.runs.locate import LocateOptions, locate_cancel
from cancelscout.runs.login import login_with_form
from cancelscout.session import write_session

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
PROFILES = TESTS / "profiles"
REPO = TESTS.parent


@pytest.fixture(autouse=True)
def _private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sessions and keys of tests never touch the real user folder."""
    monkeypatch.setenv("CANCELSCOUT_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], playwright: Playwright
) -> dict[str, Any]:
    """pytest-playwright launches the same browser cancelscout resolves, with its flags."""
    choice = resolve_browser(os.environ.get("CANCELSCOUT_BROWSER"), playwright)
    args = {**browser_type_launch_args, "args": launch_args()}
    if choice.path is not None:
        args["executable_path"] = str(choice.path)
    return args


@pytest.fixture
def runtime(browser: Browser) -> Runtime:
    return Runtime(playwright=None, choice=None, browser=browser)


@pytest.fixture
def site_server() -> Iterator[Callable[[str], SiteServer]]:
    started: list[SiteServer] = []

    def start(name: str) -> SiteServer:
        root = SITES / name if (SITES / name).is_dir() else Path(name)
        server = SiteServer(root).start()
        started.append(server)
        return server

    yield start
    for server in started:
        hits = server.state()["danger_hits"]
        server.stop()
        assert hits == [], f"a dangerous control was triggered on {server.root.name}: {hits}"


@pytest.fixture
def registry() -> ProfileRegistry:
    return ProfileRegistry([PROFILES, REPO / "site_profiles"])


def site_account(server: SiteServer) -> tuple[str, str]:
    config = json.loads((server.root / "site.json").read_text(encoding="utf-8"))
    return config.get("username", "demo"), config.get("password", "demo123")


@pytest.fixture
def login_session(
    runtime: Runtime, registry: ProfileRegistry, tmp_path: Path
) -> Callable[[str, SiteServer], Path]:
    def login(profile_id: str, server: SiteServer) -> Path:
        profile, _ = registry.get(profile_id)
        username, password = site_account(server)
        state = login_with_form(profile, runtime, username, password, base_url=server.url + "/")
        path = tmp_path / f"{profile_id}-session.json"
        write_session(path, state)
        return path

    return login


@pytest.fixture
def locate(
    runtime: Runtime, registry: ProfileRegistry, tmp_path: Path
) -> Callable[..., LocateResult]:
    def run(
        profile_id: str, server: SiteServer, session: Path | None, **options: Any
    ) -> LocateResult:
        profile, path = registry.get(profile_id)
        opts = LocateOptions(
            out_dir=tmp_path / "recordings",
            session_file=session,
            base_url=server.url + "/",
            profile_path=path,
            timeout_s=options.pop("timeout_s", 5.0),
            **options,
        )
        return locate_cancel(profile, opts, runtime)

    return run


@pytest.fixture
def locate_file(runtime: Runtime, tmp_path: Path) -> Callable[..., LocateResult]:
    """Run a profile written to a file by the test (a drifted or edited copy) on ``server``."""

    def run(path: Path, server: SiteServer, session: Path | None, **options: Any) -> LocateResult:
        opts = LocateOptions(
            out_dir=tmp_path / "rec",
            session_file=session,
            base_url=server.url + "/",
            profile_path=path,
            timeout_s=options.pop("timeout_s", 3.0),
            **options,
        )
        return locate_cancel(load_profile(path), opts, runtime)

    return run
