"""Train the clause model (``src/cancelscout/data/clause_model.json``) from the tuning splits.

    .venv/bin/python tools/train_clause_model.py

Reads every split of ``tests/clause_corpus`` but ``heldout.yaml`` (it stays the yardstick),
trains ``analysis.clause_model.train`` with its fixed seed, and writes the model with the SHA-256
of every file it was trained on (``tests/test_clause_model.py`` checks the model is
current). Deterministic: the same corpus gives the same file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from cancelscout.analysis.clause_model import train  # noqa: E402

CORPUS = REPO / "tests" / "clause_corpus"
HELD_OUT = "heldout.yaml"
OUT = REPO / "src" / "cancelscout" / "data" / "clause_model.json"


def build() -> bytes:
    """The model file's bytes, trained on every split of the corpus but the held-out one."""
    examples: list[tuple[str, str]] = []
    digests: dict[str, str] = {}
    # the first split first, then the later ones in the order they were written
    for path in sorted(CORPUS.glob("*.yaml"), key=lambda p: (p.name != "tune.yaml", p.name)):
        if path.name == HELD_OUT:
            continue
        raw = path.read_bytes()
        digests[path.name] = hashlib.sha256(raw).hexdigest()
        examples.extend((item["text"], item["label"]) for item in yaml.safe_load(raw))
    model = train(examples)
    data = {"trained_on": digests, "sentences": len(examples), **model.to_json()}
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def main() -> int:
    OUT.write_bytes(build())
    print(f"{OUT.relative_to(REPO)}: {OUT.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
