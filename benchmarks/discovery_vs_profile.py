"""Discovery against profile mode on every fixture shop: pages and wall time, with ratios.

    .venv/bin/python benchmarks/discovery_vs_profile.py [--repeat N] [SITE ...]

Targets (issue 4): discovery visits at most 2x the pages of the optimal path (the profile's
route), and takes at most 3x the profile mode's wall time on the same site.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from cancelscout.browser.runtime import open_runtime  # noqa: E402
from cancelscout.demo.server import SiteServer  # noqa: E402
from cancelscout.profiles.registry import ProfileRegistry  # noqa: E402
from cancelscout.runs.discover import discover_cancel  # noqa: E402
from cancelscout.runs.locate import LocateOptions, locate_cancel  # noqa: E402
from cancelscout.runs.login import login_with_form  # noqa: E402
from cancelscout.session import write_session  # noqa: E402

SITES = {"demo": ("demo-xingchen", REPO / "src/cancelscout/demo/site")}
for folder in sorted((REPO / "tests/sites").iterdir()):
    if (REPO / f"tests/profiles/fx-{folder.name}.yaml").exists() and folder.name not in (
        "noentry",
        "faults",
        "challenge",
    ):
        SITES[folder.name] = (f"fx-{folder.name}", folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", default=list(SITES))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    registry = ProfileRegistry([REPO / "tests/profiles", REPO / "site_profiles"])
    rows = []
    with open_runtime(None) as runtime, tempfile.TemporaryDirectory() as tmp:
        for site in args.sites:
            profile_id, root = SITES[site]
            profile, path = registry.get(profile_id)
            with SiteServer(root) as server:
                base = server.url + "/"
                state = login_with_form(profile, runtime, "demo", "demo123", base_url=base)
                session = Path(tmp) / f"{site}.json"
                write_session(session, state)
                options = LocateOptions(
                    out_dir=Path(tmp) / "rec",
                    session_file=session,
                    base_url=base,
                    profile_path=path,
                    timeout_s=5,
                    trace=False,
                )
                p_times, d_times, p_pages, d_pages = [], [], 0, 0
                for _ in range(args.repeat):
                    located = locate_cancel(profile, options, runtime)
                    found = discover_cancel(base, options, runtime).result
                    assert located.status == found.status == "found", (site, located, found)
                    assert located.entry and found.entry
                    p_times.append(located.duration_s)
                    d_times.append(found.duration_s)
                    # The optimal path's pages: the distinct pages the profile's route shows.
                    p_pages = len({step.url for step in located.path})
                    d_pages = found.pages_visited
                assert not server.state()["danger_hits"], site
            p_time, d_time = statistics.median(p_times), statistics.median(d_times)
            rows.append(
                {
                    "site": site,
                    "profile_s": p_time,
                    "discovery_s": d_time,
                    "time_ratio": round(d_time / p_time, 2),
                    "optimal_pages": p_pages,
                    "discovery_pages": d_pages,
                    "page_ratio": round(d_pages / p_pages, 2),
                    "grade": found.friction.grade if found.friction else None,
                }
            )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(
            f"{'site':<14}{'profile s':>10}{'discovery s':>12}{'time ×':>8}"
            f"{'opt pages':>10}{'disc pages':>11}{'pages ×':>9}  grade"
        )
        for r in rows:
            print(
                f"{r['site']:<14}{r['profile_s']:>10.2f}{r['discovery_s']:>12.2f}"
                f"{r['time_ratio']:>8.2f}{r['optimal_pages']:>10}{r['discovery_pages']:>11}"
                f"{r['page_ratio']:>9.2f}  {r['grade']}"
            )
    worst_time = max(r["time_ratio"] for r in rows)
    worst_pages = max(r["page_ratio"] for r in rows)
    print(f"worst: time {worst_time:.2f}× (target ≤ 3), pages {worst_pages:.2f}× (target ≤ 2)")
    return 0 if worst_time <= 3 and worst_pages <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
