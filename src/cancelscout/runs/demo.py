"""``cancelscout demo``: the whole job on the bundled demo shop, served on 127.0.0.1.

It starts the demo shop at a free port, logs in through the shop's own form with the demo
account (exactly what ``cancelscout login demo-xingchen --username demo`` does), then runs
locate-cancel with the bundled ``demo-xingchen`` profile moved to that address.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cancelscout.browser.runtime import open_runtime
from cancelscout.demo import DEMO_PROFILE, DEMO_SITE, demo_account
from cancelscout.demo.server import SiteServer
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.result import LocateResult
from cancelscout.runs.locate import LocateOptions, locate_cancel
from cancelscout.runs.login import login_with_form
from cancelscout.session import write_session


def run_demo(
    *,
    out_dir: Path,
    lang: str,
    headed: bool,
    browser: str | None,
    on_step: Callable[[dict[str, Any]], None] | None,
    announce: Callable[[str], None] | None,
    evidence: dict[str, Any] | None = None,
) -> LocateResult:
    profile, profile_path = ProfileRegistry.default().get(DEMO_PROFILE)
    username, password = demo_account()
    with (
        SiteServer(DEMO_SITE) as server,
        open_runtime(browser, headed=headed) as runtime,
        tempfile.TemporaryDirectory(prefix="cancelscout-demo-") as tmp,
    ):
        base_url = server.url + "/"
        if announce:
            announce(f"demo shop 演示站 '{profile.name}' serving at {base_url}")
        state = login_with_form(profile, runtime, username, password, base_url=base_url)
        session_file = Path(tmp) / "session.json"
        write_session(session_file, state)
        if announce:
            announce(f"logged in as '{username}'; locating the cancel entry …")
        options = LocateOptions(
            out_dir=out_dir,
            session_file=session_file,
            base_url=base_url,
            lang=lang,
            profile_path=profile_path,
            on_step=on_step,
            **(evidence or {}),
        )
        result = locate_cancel(profile, options, runtime)
        hits = server.state()["danger_hits"]
        if hits:  # the safety promise, checked on every demo run
            raise AssertionError(f"the demo run triggered dangerous endpoints: {hits}")
        return result
