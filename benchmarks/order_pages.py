"""Order extraction on generated order pages (tests/ordergen): every order's number, date,
amount and item, and no false orders.

    .venv/bin/python benchmarks/order_pages.py tune [--misses]     # seeds 0-99
    .venv/bin/python benchmarks/order_pages.py held-out            # seeds 1000-1099, totals only

Each page is one shop's orders list in one of seven layouts (table, table without a header,
cards, <dl>s, a mobile list, a div grid, "label：value" lines), in 简体, 繁體 or English, with
the formats of order numbers, dates and amounts real shops use, drawn late by a script on
about a third of the pages, and the furniture around it (menus, balance, last sign-in, goods on
offer with prices, totals, pagination). ``capture --url`` reads it as a user's run would (one
browser for all pages). The held-out seeds were fixed before any tuning and print totals only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from tests.ordergen import TrueOrder, build, describe  # noqa: E402

from cancelscout.browser.runtime import open_runtime  # noqa: E402
from cancelscout.demo.server import SiteServer  # noqa: E402
from cancelscout.result import Order  # noqa: E402
from cancelscout.runs.capture import CaptureOptions, capture, url_profile  # noqa: E402

SPLITS = {"tune": range(0, 100), "held-out": range(1000, 1100)}


def _amount(text: str | None) -> Decimal | None:
    found = re.search(r"\d[\d,]*(?:\.\d+)?", text or "")
    try:
        return Decimal(found.group(0).replace(",", "")) if found else None
    except InvalidOperation:
        return None


def _number(text: str | None) -> str:
    return (text or "").strip().lstrip("#")


def score(truth: list[TrueOrder], got: list[Order]) -> tuple[Counter[str], list[str]]:
    counts: Counter[str] = Counter(orders=len(truth), extracted=len(got))
    notes: list[str] = []
    by_number = {_number(o.order_no): o for o in got}
    for want in truth:
        order = by_number.get(_number(want.order_no))
        if order is None:
            notes.append(f"missed {want.order_no}")
            continue
        counts["found"] += 1
        checks = {
            "date": order.date == want.date,
            "amount": _amount(order.amount) == want.amount,
            "item": bool(order.item) and (want.item in order.item or order.item in want.item),
        }
        for field, right in checks.items():
            counts[field] += right
            if not right:
                value = {"date": order.date, "amount": order.amount, "item": order.item}[field]
                notes.append(f"{field} of {want.order_no}: got {value!r}")
    wanted = {_number(t.order_no) for t in truth}
    false = [o.order_no for o in got if _number(o.order_no) not in wanted]
    counts["false"] = len(false)
    notes.extend(f"false order {n!r}" for n in false)
    return counts, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", choices=list(SPLITS))
    parser.add_argument("--misses", action="store_true", help="list misses (not on held-out)")
    args = parser.parse_args()
    total: Counter[str] = Counter()
    pages_right = 0
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        delays: dict[str, float] = {}
        pages = {seed: build(seed, site, delays) for seed in SPLITS[args.split]}
        faults = {path: {"delay_s": seconds} for path, seconds in delays.items()}
        (site / "site.json").write_text(json.dumps({"faults": faults}), encoding="utf-8")
        with SiteServer(site) as server, open_runtime(None) as runtime:
            for seed, (path, truth) in pages.items():
                url = server.url + path
                options = CaptureOptions(
                    out_dir=Path(tmp) / "rec", session_file=None, urls=(url,), timeout_s=10.0
                )
                result = capture(url_profile((url,)), options, runtime)
                counts, notes = score(truth, result.orders)
                total.update(counts)
                right = not notes
                pages_right += right
                if args.misses and args.split != "held-out" and notes:
                    print(f"seed {seed} ({describe(seed)}): " + "; ".join(notes))
    n = total["orders"]
    print(
        f"{args.split}: {len(pages)} pages, {n} orders; "
        f"pages all right {pages_right}/{len(pages)}\n"
        f"found {total['found']}/{n} ({total['found'] / n:.1%}), date {total['date'] / n:.1%}, "
        f"amount {total['amount'] / n:.1%}, item {total['item'] / n:.1%}; "
        f"false orders {total['false']} (of {total['extracted']} extracted)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
