"""Find the promise words of a promo page (永久, 终身, 专属特权, 9折 …) in its visible text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from cancelscout.analysis.clauses import sentences
from cancelscout.profiles.yamlsafe import read_yaml
from cancelscout.textnorm import normalize, variant_pattern


@cache
def vocabulary() -> dict[str, Any]:
    raw = resources.files("cancelscout.data").joinpath("evidence.yaml").read_bytes()
    data: dict[str, Any] = read_yaml(raw, "evidence.yaml").data
    return data


@cache
def _promise_regex() -> re.Pattern[str]:
    words = vocabulary()["promises"]
    # Longest phrases first, so 永久会员 wins over the 永久 inside it; 繁體 forms match too.
    literal = sorted(words["phrases"], key=len, reverse=True)
    alternatives = [variant_pattern(p) for p in literal] + list(words["patterns"])
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


@dataclass(frozen=True)
class PromiseHit:
    phrase: str  # as written on the page
    sentence: str


def find_promises(text: str) -> list[PromiseHit]:
    """Each distinct (phrase, sentence) pair, in page order."""
    regex = _promise_regex()
    hits: list[PromiseHit] = []
    seen: set[tuple[str, str]] = set()
    for sentence in sentences(text):
        for match in regex.finditer(sentence):
            phrase = match.group(0).strip()
            if phrase and (phrase, sentence) not in seen:
                seen.add((phrase, sentence))
                hits.append(PromiseHit(phrase, sentence))
    return hits


def is_membership_item(item: str, words: list[str] | None = None) -> bool:
    """True when an order's item names the platform's own membership (profile words first)."""
    vocab = words if words else list(vocabulary()["membership_items"])
    folded = normalize(item)
    return any(normalize(word) in folded for word in vocab)
