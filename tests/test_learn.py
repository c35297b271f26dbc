"""Learning profiles from discovery (the round trip on every fixture shop is in
test_discovery.py, where each discovery run is replayed from the profile it learned)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.runs.discover import discover_cancel
from cancelscout.runs.learn import learned_profile_yaml
from cancelscout.runs.locate import LocateOptions


def test_learn_refuses_when_nothing_found(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    runtime: Runtime,
    tmp_path: Path,
) -> None:
    from cancelscout.errors import UsageError

    server = site_server("noentry")
    options = LocateOptions(
        out_dir=tmp_path,
        session_file=login_session("fx-noentry", server),
        timeout_s=3,
        max_pages=2,
        max_actions=3,
    )
    run = discover_cancel(server.url + "/", options, runtime)
    with pytest.raises(UsageError) as caught:
        learned_profile_yaml(run, "nothing")
    assert "nothing to learn" in caught.value.message
