"""Trace sanitising (integrity/trace.py) on a hand-made trace: every line stays JSON."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from cancelscout.integrity.trace import sanitize_trace

SESSION = "sess-9f8e7d6c5b4a"


def _trace(tmp_path: Path, events: list[dict[str, object]]) -> Path:
    raw = tmp_path / "raw.zip"
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr("trace.trace", "\n".join(json.dumps(e, ensure_ascii=False) for e in events))
        z.writestr("resources/page.html", f"<p>手机 13912345678 token {SESSION}</p>")
    return raw


def _sanitized(tmp_path: Path, events: list[dict[str, object]]) -> tuple[list[object], str]:
    out = tmp_path / "trace.zip"
    sanitize_trace(_trace(tmp_path, events), out, [SESSION])
    with zipfile.ZipFile(out) as z:
        lines = z.read("trace.trace").decode().splitlines()
        return [json.loads(line) for line in lines], z.read("resources/page.html").decode()


def test_trace_sanitize_masks_values_and_keeps_every_line_json(tmp_path: Path) -> None:
    events: list[dict[str, object]] = [
        # a time whose digits read like a bank card number once printed
        {"type": "frame-snapshot", "collectionTime": 6222021234567894.5, "title": "订单"},
        {"type": "log", "text": f"phone 13912345678 and cookie {SESSION}", "n": 13912345678},
    ]
    parsed, page = _sanitized(tmp_path, events)
    assert parsed[0] == events[0]  # nothing personal: unchanged, and still a number
    log = parsed[1]
    assert isinstance(log, dict)
    assert "13912345678" not in json.dumps(log) and SESSION not in json.dumps(log)
    assert log["n"] != 13912345678 and isinstance(log["n"], str)
    assert "13912345678" not in page and SESSION not in page
