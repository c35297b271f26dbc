"""Discovery on generated shops (tests/shopgen): the tuning split and the held-out split.

    .venv/bin/python benchmarks/generated_shops.py tune        # seeds 0-99, per-shop detail
    .venv/bin/python benchmarks/generated_shops.py held-out    # seeds 1000-1199, totals only
    .venv/bin/python benchmarks/generated_shops.py 17 42       # single seeds, with detail

A shop is right when discovery finds its entry (the same control, on an account page) or says
not_found where it has none, and no dangerous endpoint of the shop was requested. The held-out
split prints totals by part only (never a shop's detail), so tuning cannot look at it.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from tests.shopgen import HELD_OUT_SEEDS, TUNE_SEEDS, generate  # noqa: E402
from tests.shopgen.judge import verdict  # noqa: E402

from cancelscout.browser.runtime import open_runtime  # noqa: E402
from cancelscout.demo.server import SiteServer  # noqa: E402
from cancelscout.runs.discover import discover_cancel  # noqa: E402
from cancelscout.runs.locate import LocateOptions  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="+", help="tune, held-out, or seed numbers")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    held_out = args.split == ["held-out"]
    seeds = (
        list(TUNE_SEEDS)
        if args.split == ["tune"]
        else list(HELD_OUT_SEEDS)
        if held_out
        else [int(s) for s in args.split]
    )
    rows = []
    with open_runtime(None) as runtime, tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            root = Path(tmp) / f"shop{seed}"
            shop = generate(seed, root)
            server = SiteServer(root).start()
            options = LocateOptions(out_dir=Path(tmp) / "rec", timeout_s=5.0, trace=False)
            started = time.monotonic()
            try:
                run = discover_cancel(server.url + "/index.html", options, runtime)
                result = run.result
                outcome = verdict(shop, result, server.state()["danger_hits"])
            finally:
                server.stop()
            row = {
                "seed": seed,
                "parts": shop.describe(),
                "verdict": outcome,
                "pages": len(result.explored),
                "seconds": round(time.monotonic() - started, 1),
                "menu": shop.menu,
                "nav": shop.nav,
                "entry": shop.entry,
                "late": shop.late,
                "overlay": shop.overlay,
                "family": shop.family,
                "danger": outcome.startswith("danger"),
            }
            rows.append(row)
            if not held_out:
                print(
                    f"{'ok  ' if outcome == 'ok' else 'FAIL'} {shop.describe()} -> {outcome}"
                    f" [{row['pages']} states, {row['seconds']} s]",
                    flush=True,
                )
    right = sum(r["verdict"] == "ok" for r in rows)
    print(
        f"\n{right}/{len(rows)} right ({100 * right / len(rows):.1f} %), "
        f"{sum(r['danger'] for r in rows)} with a dangerous request, "
        f"median {sorted(r['seconds'] for r in rows)[len(rows) // 2]} s per shop"
    )
    for part in ("family", "menu", "nav", "entry", "late", "overlay"):
        counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
        for r in rows:
            counts[r[part]][0] += r["verdict"] == "ok"
            counts[r[part]][1] += 1
        print(f"  {part:8} " + "  ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(counts.items())))
    if args.json:
        print(json.dumps(rows if not held_out else [], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
