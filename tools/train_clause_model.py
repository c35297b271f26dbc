"""Train the clause model (``src/cancelscout/data/clause_model.json``) from the tuning splits.

    .venv/bin/python tools/train_clause_model.py

Reads the tuning splits of ``tests/clause_corpus`` (never ``heldout.yaml``: it stays the
yardstick), trains ``analysis.clause_model.train`` with its fixed seed, and writes the model with
the SHA-256 of every file it was trained on (``tests/test_clause_model.py`` checks the model is
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
TRAINED_ON = (
    "tune.yaml",
    "dev.yaml",
    "dev2.yaml",
    "dev3.yaml",
    "dev4.yaml",
    "dev5.yaml",
    "dev6.yaml",
    "dev7.yaml",
    "dev8.yaml",
    "dev9.yaml",
)
OUT = REPO / "src" / "cancelscout" / "data" / "clause_model.json"


def main() -> int:
    examples: list[tuple[str, str]] = []
    digests: dict[str, str] = {}
    for name in TRAINED_ON:
        raw = (CORPUS / name).read_bytes()
        digests[name] = hashlib.sha256(raw).hexdigest()
        examples.extend((item["text"], item["label"]) for item in yaml.safe_load(raw))
    model = train(examples)
    data = {"trained_on": digests, "sentences": len(examples), **model.to_json()}
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(
        f"{OUT.relative_to(REPO)}: {len(examples)} sentences, {len(model.weights)} features, "
        f"{OUT.stat().st_size // 1024} KB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
