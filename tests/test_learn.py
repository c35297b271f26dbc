"""Profiles learned by discovery replay in profile mode, on every fixture shop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cancelscout.demo.server import SiteServer
from cancelscout.engine.discover import discover_cancel
from cancelscout.engine.locate import LocateOptions, locate_cancel
from cancelscout.engine.runtime import Runtime
from cancelscout.profiles.learn import learned_profile_yaml
from cancelscout.profiles.loader import load_profile
from test_discovery import CORPUS


@pytest.mark.parametrize(("site", "profile_id", "text"), CORPUS, ids=[c[0] for c in CORPUS])
def test_learn_round_trip_replays_without_discovery(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    runtime: Runtime,
    tmp_path: Path,
    site: str,
    profile_id: str,
    text: str,
) -> None:
    server = site_server(site)
    session = login_session(profile_id, server)
    options = LocateOptions(out_dir=tmp_path / "rec", session_file=session, timeout_s=5)
    run = discover_cancel(server.url + "/", options, runtime)
    assert run.result.status == "found"
    path = tmp_path / f"learned-{site}.yaml"
    path.write_text(learned_profile_yaml(run, f"learned-{site}"), encoding="utf-8")
    profile = load_profile(path)
    assert profile.routes[0].steps, "the learned route has steps"
    # Role + accessible name first, as Playwright advises (text only for role-less elements).
    assert profile.routes[0].target[0].kind == "role"
    for step in profile.routes[0].steps:
        assert step.locator is not None and step.locator.kind in ("role", "text")
    replay = locate_cancel(
        profile,
        LocateOptions(
            out_dir=tmp_path / "rec",
            session_file=session,
            base_url=server.url + "/",
            profile_path=path,
            timeout_s=5,
        ),
        runtime,
    )
    assert replay.status == "found", replay.error
    assert replay.mode == "profile"
    assert replay.entry is not None and replay.entry.text == text
    assert replay.breadcrumb() == run.result.breadcrumb()


def test_learn_refuses_when_nothing_found(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    runtime: Runtime,
    tmp_path: Path,
) -> None:
    from cancelscout.errors import UsageError

    server = site_server("noentry")
    options = LocateOptions(
        out_dir=tmp_path, session_file=login_session("fx-noentry", server), timeout_s=3, max_pages=4
    )
    run = discover_cancel(server.url + "/", options, runtime)
    with pytest.raises(UsageError) as caught:
        learned_profile_yaml(run, "nothing")
    assert "nothing to learn" in caught.value.message
