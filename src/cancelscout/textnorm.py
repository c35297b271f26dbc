"""Text normalisation that treats 繁體 and 简体 (and full-/half-width forms) alike.

Two tools: :func:`normalize` folds a string to one canonical form for comparisons made in
Python, and :func:`variant_pattern` builds a regular expression that matches a phrase in either
script inside the browser, where we cannot normalise the page's text first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from opencc import OpenCC

_T2S = OpenCC("t2s")
# Character-level tables of the same OpenCC data: a single character needs no phrase
# dictionary, and loading s2t, s2tw and s2hk with theirs cost ~55 ms of every start. Taiwan and
# Hong Kong standards differ from OpenCC's default traditional form (启→啟 vs 啓).
_CHAR_TABLES = (
    "STCharacters.txt",
    "TSCharacters.txt",
    "TWVariants.txt",
    "TWVariantsRev.txt",
    "HKVariants.txt",
    "HKVariantsRev.txt",
)
_SPACE = re.compile(r"\s+")


@cache
def _char_table() -> dict[str, set[str]]:
    """Every character → its other forms (simplified, traditional, Taiwan, Hong Kong)."""
    table: dict[str, set[str]] = {}
    folder = resources.files("opencc").joinpath("dictionary")
    for name in _CHAR_TABLES:
        for line in folder.joinpath(name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            for value in values.split():
                table.setdefault(key, set()).add(value)
                table.setdefault(value, set()).add(key)
    return table


@lru_cache(maxsize=8192)  # a clause sentence is folded by every family, exception and the model
def normalize(text: str) -> str:
    """Fold width, script (繁→简), case and runs of white space."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _T2S.convert(folded)
    return _SPACE.sub(" ", folded).strip().casefold()


def fold_label(text: str) -> str:
    """A control's label folded for safety checks: NFKC, 繁→简, case folded, and every white
    space and invisible format character (zero-width space, joiners, bidi marks) removed, so
    "确 定", "立即续\u200b费" and "ＰＡＹ" read as 确定, 立即续费 and pay."""
    folded = _T2S.convert(unicodedata.normalize("NFKC", text)).casefold()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


def _width_forms(char: str) -> set[str]:
    """The half-width and full-width forms of a character (：/:, Ａ/A)."""
    half = unicodedata.normalize("NFKC", char)
    forms = {char}
    if len(half) == 1:
        forms.add(half)
        if "!" <= half <= "~":
            forms.add(chr(ord(half) + 0xFEE0))
    return forms


@lru_cache(maxsize=4096)
def _char_variants(char: str) -> str:
    table = _char_table()
    forms = {char} | table.get(char, set())
    forms |= {v for f in list(forms) for v in table.get(f, set())}  # 启 → 啟 → 啓
    forms = {w for f in forms if len(f) == 1 for w in _width_forms(f)}
    if len(forms) == 1:
        return re.escape(char)
    return "[" + "".join(re.escape(f) for f in sorted(forms)) + "]"


def variant_pattern(phrase: str, *, exact: bool = False) -> str:
    """A regex source matching ``phrase`` in Simplified or Traditional script.

    White space inside the phrase matches any run of white space, so a label split over lines
    still matches. With ``exact`` the whole (trimmed) text must match.
    """
    phrase = phrase.strip()
    parts: list[str] = []
    for char in phrase:
        if char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(_char_variants(char))
    body = "".join(parts)
    return rf"^\s*{body}\s*$" if exact else body


def variant_regex(phrase: str, *, exact: bool = False) -> re.Pattern[str]:
    """Compiled, case-insensitive form of :func:`variant_pattern`."""
    return re.compile(variant_pattern(phrase, exact=exact), re.IGNORECASE)


def contains_any(text: str, phrases: list[str]) -> str | None:
    """The first phrase of ``phrases`` found in ``text`` after normalisation, else None."""
    haystack = normalize(text)
    for phrase in phrases:
        if normalize(phrase) in haystack:
            return phrase
    return None
