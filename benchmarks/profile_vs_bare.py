"""Profile mode against a bare Playwright script, whole process, on every fixture shop.

    .venv/bin/python benchmarks/profile_vs_bare.py [--repeat N] [SITE ...]

For each shop the floor is a hand-written script in ``benchmarks/bare/`` (the simplest correct
Playwright code for the same path: launch Chromium, load the storage state, open home, click
along, wait for the entry, screenshot it, exit). cancelscout runs as a user runs it:
``cancelscout locate-cancel fx-SHOP --session … --json``, full evidence bundle, trace on. Both
are whole processes, timed by wall clock, interleaved (the order alternates each round) so load
on the machine hits both alike; medians of N rounds.

Issue 11's targets: cancelscout ≤ 1.25x the bare script (per shop and the worst); a shop whose
entry is absent (``noentry``) answers not_found within 2 s of extra waiting. Bundle sizes are
printed beside (the demo bundle's target is ≤ 1.5 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from cancelscout.browser.runtime import open_runtime  # noqa: E402
from cancelscout.demo.server import SiteServer  # noqa: E402
from cancelscout.profiles.registry import ProfileRegistry  # noqa: E402
from cancelscout.runs.login import login_with_form  # noqa: E402
from cancelscout.session import write_session  # noqa: E402

BARE = REPO / "benchmarks" / "bare"
SITES = {"demo": ("demo-xingchen", REPO / "src/cancelscout/demo/site")}
SITES.update(
    {
        p.stem: (f"fx-{p.stem}", REPO / "tests/sites" / p.stem)
        for p in sorted(BARE.glob("[!_]*.py"))
        if p.stem != "demo"
    }
)
EXPECTED = {"noentry": "not_found"}  # every other shop: found


def wall(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - started, done


def bundle_size(path: str) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", default=list(SITES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--tool-src", type=Path, help="run cancelscout from this src/ (e.g. an older checkout)"
    )
    args = parser.parse_args()
    registry = ProfileRegistry([REPO / "tests/profiles", REPO / "site_profiles"])
    cli = [str(Path(sys.executable).with_name("cancelscout"))]
    if args.tool_src is not None:
        cli = [sys.executable, "-m", "cancelscout"]  # PYTHONPATH below picks the checkout
    rows = []
    print(f"{'site':<13}{'bare s':>8}{'cancelscout s':>15}{'ratio':>8}{'bundle KB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CANCELSCOUT_HOME": str(Path(tmp) / "home")}  # no signing key
        if args.tool_src is not None:
            env["PYTHONPATH"] = str(args.tool_src.resolve())
        for site in args.sites:
            profile_id, root = SITES[site]
            profile, _ = registry.get(profile_id)
            with SiteServer(root) as server:
                base = server.url + "/"
                session = Path(tmp) / f"{site}.json"
                with open_runtime(None) as runtime:  # logged in before any timing
                    state = login_with_form(profile, runtime, "demo", "demo123", base_url=base)
                    if runtime.choice is not None and runtime.choice.path is not None:
                        env["CANCELSCOUT_BROWSER"] = str(runtime.choice.path)  # bare: the same
                write_session(session, state)
                bare_cmd = [sys.executable, str(BARE / f"{site}.py"), base, str(session)]
                tool_cmd = [
                    *cli, "locate-cancel", profile_id, "--session", str(session), "--json",
                    "--profiles", str(REPO / "tests/profiles"), "--base-url", base,
                ]  # fmt: skip
                bare_s: list[float] = []
                tool_s: list[float] = []
                sizes: list[int] = []
                for round_ in range(args.repeat):
                    shot = str(Path(tmp) / f"{site}-{round_}.png")
                    out = ["--out", str(Path(tmp) / "rec")]
                    pair = [("bare", [*bare_cmd, shot]), ("tool", [*tool_cmd, *out])]
                    for kind, command in pair if round_ % 2 == 0 else pair[::-1]:
                        seconds, done = wall(command, env)
                        if kind == "bare":
                            assert done.returncode == 0, (site, done.stderr[-2000:])
                            bare_s.append(seconds)
                            continue
                        result = json.loads(done.stdout)
                        want = EXPECTED.get(site, "found")
                        assert result["status"] == want, (site, result["status"], result["error"])
                        tool_s.append(seconds)
                        sizes.append(bundle_size(result["bundle"]))
                assert not server.state()["danger_hits"], site
            bare, tool = statistics.median(bare_s), statistics.median(tool_s)
            rows.append(
                {
                    "site": site,
                    "bare_s": round(bare, 2),
                    "cancelscout_s": round(tool, 2),
                    "ratio": round(tool / bare, 2),
                    "bundle_kb": round(statistics.median(sizes) / 1024),
                }
            )
            print(
                f"{site:<13}{bare:>8.2f}{tool:>15.2f}{tool / bare:>8.2f}"
                f"{rows[-1]['bundle_kb']:>12}",
                flush=True,
            )
    found_rows = [r for r in rows if r["site"] not in EXPECTED]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    if found_rows:
        worst = max(found_rows, key=lambda r: r["ratio"])
        ratios = [r["ratio"] for r in found_rows]
        print(
            f"found shops: median ratio {statistics.median(ratios):.2f}, worst "
            f"{worst['ratio']:.2f} ({worst['site']}); target ≤ 1.25"
        )
    for r in rows:
        if r["site"] in EXPECTED:
            print(
                f"{r['site']}: not_found in {r['cancelscout_s']:.2f} s, "
                f"{r['cancelscout_s'] - r['bare_s']:+.2f} s beside the bare script"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
