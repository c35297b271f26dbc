"""Many platforms, one browser: several profile runs in one process, sharing one Chromium (a
fresh context per run) against launching a browser for each run.

    .venv/bin/python benchmarks/one_browser.py [--repeat N] [SITE ...]

Both sides do the same runs (full evidence bundle, trace on) on the same fixture shops, in one
process; the rounds alternate which side goes first. Prints the median wall time of the whole
batch for each side and what sharing saves per run. ``cancelscout profiles test --all`` and the
test suite work the shared way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from cancelscout.browser.runtime import open_runtime  # noqa: E402
from cancelscout.demo.server import SiteServer  # noqa: E402
from cancelscout.profiles.registry import ProfileRegistry  # noqa: E402
from cancelscout.runs.locate import LocateOptions, locate_cancel  # noqa: E402
from cancelscout.runs.login import login_with_form  # noqa: E402
from cancelscout.session import write_session  # noqa: E402

DEFAULT_SITES = ["hover", "english", "iconbtn", "multipage", "switch", "traditional"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", default=DEFAULT_SITES)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    registry = ProfileRegistry([REPO / "tests/profiles"])
    with tempfile.TemporaryDirectory() as tmp:
        servers = [SiteServer(REPO / "tests/sites" / site).start() for site in args.sites]
        try:
            jobs = []
            with open_runtime(None) as runtime:
                for site, server in zip(args.sites, servers, strict=True):
                    profile, path = registry.get(f"fx-{site}")
                    base = server.url + "/"
                    session = Path(tmp) / f"{site}.json"
                    state = login_with_form(profile, runtime, "demo", "demo123", base_url=base)
                    write_session(session, state)
                    options = LocateOptions(
                        out_dir=Path(tmp) / "rec",
                        session_file=session,
                        base_url=base,
                        profile_path=path,
                        timeout_s=10,
                    )
                    jobs.append((profile, options))

            def shared() -> None:
                with open_runtime(None) as runtime:
                    for profile, options in jobs:
                        assert locate_cancel(profile, options, runtime).status == "found"

            def one_each() -> None:
                for profile, options in jobs:
                    with open_runtime(None) as runtime:
                        assert locate_cancel(profile, options, runtime).status == "found"

            times: dict[str, list[float]] = {"one browser": [], "a browser per run": []}
            sides = [("one browser", shared), ("a browser per run", one_each)]
            for round_ in range(args.repeat):
                for name, batch in sides if round_ % 2 == 0 else sides[::-1]:
                    started = time.perf_counter()
                    batch()
                    times[name].append(time.perf_counter() - started)
        finally:
            for server in servers:
                server.stop()
    one, each = (statistics.median(times[k]) for k in ("one browser", "a browser per run"))
    runs = len(args.sites)
    print(f"{runs} profile runs, median of {args.repeat} batches")
    print(f"  a browser per run: {each:6.2f} s ({each / runs:.2f} s per run)")
    print(f"  one browser:       {one:6.2f} s ({one / runs:.2f} s per run)")
    print(f"  saved: {each - one:.2f} s per batch, {(each - one) / runs:.2f} s per run "
          f"({100 * (each - one) / each:.0f} %)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
