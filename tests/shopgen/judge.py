"""Whether a discovery run got a generated shop right."""

from __future__ import annotations

from tests.shopgen.build import Shop

from cancelscout.result import LocateResult
from cancelscout.textnorm import fold_label


def verdict(shop: Shop, result: LocateResult, danger_hits: list[object]) -> str:
    """'ok', or what was wrong: a dangerous request, the wrong status, the wrong entry."""
    if danger_hits:
        return f"danger {danger_hits}"
    want = shop.expected
    if result.status != want["status"]:
        got = result.entry.text if result.entry is not None else ""
        return f"status {result.status} (entry {got!r}), expected {want['status']}"
    if want["status"] == "found":
        assert result.entry is not None
        names = {fold_label(result.entry.text), fold_label(result.entry.name or "")} - {""}
        if fold_label(want["entry"]) not in names:
            return f"entry {result.entry.text!r}, expected {want['entry']!r}"
        if want["page"] not in result.entry.page_url:
            return f"entry on {result.entry.page_url}, expected under {want['page']}"
    return "ok"
