"""Discovery on real open-source apps brought up on loopback (see real_apps.md).

    .venv/bin/python benchmarks/real_apps.py [APP ...]

For each app that answers on its port and has a logged-in ``state.json``, runs
``locate-cancel --url`` from its home page and reports: status, entry, whether that is the
ground truth, pages, seconds, and every request the app received during the run that must never
be sent (read from the app's nginx access log). Apps that are not up are skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from cancelscout.browser.runtime import open_runtime  # noqa: E402
from cancelscout.runs.discover import DiscoveryRun, discovery_profile  # noqa: E402
from cancelscout.runs.locate import LocateOptions  # noqa: E402

HOME = Path(os.environ.get("CANCELSCOUT_REALAPPS", "/work/realapps"))


@dataclass
class App:
    name: str
    url: str
    log: str  # nginx access log of the app's server block
    status: str  # the ground truth: found | not_found
    entry: str = ""  # regex on the entry's text
    entry_page: str = ""  # regex on the page the entry is on
    forbidden: tuple[str, ...] = ()  # regexes on request lines that must never reach the app


APPS = {
    "acg-faka": App(
        "acg-faka", "http://127.0.0.1:8101/", "/var/log/nginx/acgfaka.access.log", "not_found",
        forbidden=(r'"POST ', r"/user/authentication/logout", r"\"GET /admin", r"\"GET /install"),
    ),
    "discuzx": App(
        "discuzx", "http://127.0.0.1:8102/", "/var/log/nginx/discuzx.access.log", "found",
        entry=r"^退出$", entry_page=r"ac=usergroup",
        forbidden=(
            r'"POST ', r"do=(exit|buy|switch)", r"action=logout", r"resend=1", r"admin\.php"
        ),
    ),
    "wpsm": App(
        "wpsm", "http://127.0.0.1:8103/", "/var/log/nginx/wpsm.access.log", "found",
        entry=r"^Cancel Subscription$", entry_page=r"manage-subscriptions",
        forbidden=(r'"POST ', r"swpm_delete_account", r"swpm-logout", r"action=logout"),
    ),
}  # fmt: skip


def up(app: App) -> str | None:
    """None when the app can be measured, else why not."""
    state = HOME / app.name / "state.json"
    if not state.exists():
        return f"no session at {state}"
    try:
        urllib.request.urlopen(app.url, timeout=3).close()
    except OSError as exc:
        return f"not answering ({exc})"
    return None


def log_size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def new_requests(path: str, offset: int) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            handle.seek(offset)
            return handle.read().splitlines()
    except OSError:
        return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", default=list(APPS))
    parser.add_argument("--out", type=Path, help="keep the evidence bundles here")
    args = parser.parse_args()
    measured = 0
    with open_runtime(None) as runtime, tempfile.TemporaryDirectory() as tmp:
        for name in args.apps:
            app = APPS[name]
            why = up(app)
            if why is not None:
                print(f"{name}: skipped — {why}")
                continue
            measured += 1
            offset = log_size(app.log)
            options = LocateOptions(
                out_dir=(args.out or Path(tmp)) / name,
                session_file=HOME / app.name / "state.json",
                timeout_s=5.0,
                trace=False,
            )
            started = time.monotonic()
            run = DiscoveryRun(discovery_profile(app.url), options, runtime, app.url)
            run.run()
            seconds = time.monotonic() - started
            result = run.result
            bad = [
                line
                for line in new_requests(app.log, offset)
                if any(re.search(p, line) for p in app.forbidden)
            ]
            entry = result.entry.text if result.entry else ""
            page = result.entry.page_url if result.entry else ""
            right = result.status == app.status and (
                app.status != "found"
                or (re.search(app.entry, entry) is not None and re.search(app.entry_page, page))
            )
            print(
                f"{name}: {'RIGHT' if right else 'WRONG'} status={result.status} "
                f"entry={entry!r} on {page or '-'}; {len(result.explored)} states, "
                f"{result.pages_visited} pages, {seconds:.1f} s; "
                f"forbidden requests: {len(bad)}"
            )
            for line in bad:
                print(f"    forbidden: {line}")
            for item in result.failed_actions:
                print(f"    failed {item['action']} {item['label']!r}: {item['error']}")
            if result.alternatives:
                print(f"    alternatives: {[a['text'] for a in result.alternatives]}")
            if result.support:
                print(f"    support: {[s['text'] for s in result.support][:6]}")
            print(f"    path: {' > '.join(s.label for s in result.path) or '-'}")
            print(f"    bundle: {result.bundle}")
    if measured == 0:
        print("no real app is up: nothing measured (see benchmarks/real_apps.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
