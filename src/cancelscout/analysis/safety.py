"""The safety judgement of a control, from its description alone (no browser).

:class:`ClickRules` refuses controls that confirm, pay, renew, buy, delete, log out, toggle a
setting, submit a form, or are a cancel entry themselves. ``browser/guard.py`` describes the
live element and asks these rules before every click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cancelscout.data import keywords
from cancelscout.textnorm import normalize


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""


class ClickRules:
    """Which controls must never be clicked, judged from what the element says and is."""

    def __init__(self) -> None:
        data = keywords()
        words = data["never_touch"]
        # An entry is never clicked either: every target phrase of the keyword model is refused.
        self._contains = [normalize(w) for w in [*words["contains"], *data["target"]]]
        self._exact = {normalize(w) for w in words["exact"]}

    def judge(self, info: dict[str, Any]) -> Verdict:
        labels = [info.get(k) for k in ("text", "aria", "title", "value")]
        for label in labels:
            if not label:
                continue
            folded = normalize(str(label))
            if folded in self._exact:
                return Verdict(False, f"'{label}' is a never-touch control")
            for word in self._contains:
                if word in folded:
                    return Verdict(False, f"'{label}' contains never-touch word '{word}'")
        tag, kind = info.get("tag"), info.get("type")
        if info.get("role") in ("switch", "checkbox") or (tag == "input" and kind == "checkbox"):
            return Verdict(False, "it toggles a setting (a switch or checkbox)")
        submits = (tag == "button" and kind in ("", "submit") and info.get("inForm")) or (
            tag == "input" and kind in ("submit", "image")
        )
        if submits:
            return Verdict(False, "it submits a form")
        return Verdict(True)
