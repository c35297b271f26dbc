"""Clause rules against the clause corpus (tests/clause_corpus): recall and precision.

    .venv/bin/python benchmarks/clause_corpus.py tune [--misses]
    .venv/bin/python benchmarks/clause_corpus.py dev [--misses]
    .venv/bin/python benchmarks/clause_corpus.py held-out

Tuning splits (``tune``, and ``dev`` … ``dev13``, written later by other hands in other styles)
and one held-out split. A sentence labelled with a family counts as caught when the rules flag it
with that family (or one its ``also`` names); flagged with another family only, it is caught as
unfair but in the wrong family. An ``ordinary`` sentence flagged at all is a false flag.
Recall = caught / unfair; precision = right flags / all flagged sentences. The held-out split
prints totals only: rules are never tuned on it (issue 12). By default the sentence is read as
the product reads it (``clauses.classify``: the families' rules, then the clause model trained
on every tuning split); ``--rules-only`` leaves the model out. On the tuning splits the model's
numbers say little (it was trained on them); held-out is the yardstick.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from cancelscout.analysis.clauses import default_rules, scan, sentences  # noqa: E402

SPLITS = {
    "tune": "tune.yaml",
    "dev": "dev.yaml",
    "dev2": "dev2.yaml",
    "dev3": "dev3.yaml",
    "dev4": "dev4.yaml",
    "dev5": "dev5.yaml",
    "dev6": "dev6.yaml",
    "dev7": "dev7.yaml",
    "dev8": "dev8.yaml",
    "dev9": "dev9.yaml",
    "dev10": "dev10.yaml",
    "dev11": "dev11.yaml",
    "dev12": "dev12.yaml",
    "dev13": "dev13.yaml",
    "held-out": "heldout.yaml",
}


def flags(text: str, rules_only: bool) -> set[str]:
    """The families flagged on an item, read as the product reads a page: sentence by sentence
    (an item may be a question and its answer)."""
    if rules_only:
        return {r.id for s in sentences(text) for r in default_rules().rules if r.matches(s)}
    return {hit.rule.id for hit in scan(text, "agreement")}


def measure(items: list[dict[str, Any]], rules_only: bool = False) -> dict[str, Any]:
    caught = wrong_family = missed = false_flags = flagged_right = 0
    per_family: Counter[str] = Counter()
    per_family_caught: Counter[str] = Counter()
    misses: list[str] = []
    for item in items:
        got = flags(item["text"], rules_only)
        label = item["label"]
        if label == "ordinary":
            if got:
                false_flags += 1
                misses.append(f"FALSE {sorted(got)}: {item['text']}")
            continue
        per_family[label] += 1
        wanted = {label, *item.get("also", [])}
        if got & wanted:
            caught += 1
            flagged_right += 1
            per_family_caught[label] += 1
        elif got:
            wrong_family += 1
            misses.append(f"WRONG {label} got {sorted(got)}: {item['text']}")
        else:
            missed += 1
            misses.append(f"MISS {label}: {item['text']}")
    unfair = caught + wrong_family + missed
    flagged = caught + wrong_family + false_flags
    return {
        "unfair": unfair,
        "ordinary": len(items) - unfair,
        "recall": caught / unfair if unfair else 0.0,
        "recall_any_family": (caught + wrong_family) / unfair if unfair else 0.0,
        "precision": flagged_right / flagged if flagged else 0.0,
        "false_flags": false_flags,
        "per_family": {f: (per_family_caught[f], n) for f, n in sorted(per_family.items())},
        "misses": misses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", choices=list(SPLITS))
    parser.add_argument("--misses", action="store_true", help="list misses (not on held-out)")
    parser.add_argument(
        "--rules-only", action="store_true", help="the families' rules without the clause model"
    )
    args = parser.parse_args()
    path = REPO / "tests" / "clause_corpus" / SPLITS[args.split]
    items = yaml.safe_load(path.read_text("utf-8"))
    result = measure(items, args.rules_only)
    print(
        f"{args.split}: {result['unfair']} unfair, {result['ordinary']} ordinary sentences\n"
        f"recall {result['recall']:.1%} (any family: {result['recall_any_family']:.1%}), "
        f"precision {result['precision']:.1%}, false flags on ordinary: {result['false_flags']}"
    )
    if args.split != "held-out":
        for family, (caught, total) in result["per_family"].items():
            print(f"  {family:22} {caught:3}/{total}")
        if args.misses:
            print("\n".join(result["misses"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
