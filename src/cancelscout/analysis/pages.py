"""What kind of page a state is: the account area, a catalogue, or neither.

The search prefers ways that stay in the account area and spends little on shopping pages.
Structure first: a side navigation with a logout control outside the banner is an account
page; many links in the main area that differ only in a number are a catalogue. URL words
(``/user/``, ``/member/``, ``ucenter``, ``home.php?mod=spacecp``) are the second line.
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.urls import _words
from cancelscout.data import keywords
from cancelscout.textnorm import fold_label

CATALOGUE_LINKS = 8  # links of one numbered pattern in a page's main area
SIDEBAR_LINKS = 4
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PageKind:
    account: bool
    catalogue: bool
    why: str


class PageReader:
    def __init__(self) -> None:
        data = keywords()
        self.account_paths = {str(w).lower() for w in data["account_paths"]}
        self.logout = [fold_label(w) for w in data["logout_words"]]

    def kind(self, url: str, candidates: list[Candidate]) -> PageKind:
        reasons: list[str] = []
        side = [
            c
            for c in candidates
            if c.info.get("landmark") in ("complementary", "navigation")
            and c.info.get("href")
            and float(c.info.get("x") or 0) < 0.4 * float(c.info.get("vw") or 1280)
        ]
        logout = any(
            c.info.get("landmark") != "banner"
            and any(word in fold_label(c.label) for word in self.logout)
            for c in candidates
        )
        if len(side) >= SIDEBAR_LINKS and logout:
            reasons.append("side navigation with logout")
        parts = urlsplit(url)
        words = set(_words(parts.path)) | set(_words(parts.query))
        hit = sorted(words & self.account_paths)
        if hit:
            reasons.append(f"account URL ({hit[0]})")
        patterns = series_patterns(candidates)
        catalogue = bool(patterns) and patterns.most_common(1)[0][1] >= CATALOGUE_LINKS
        if catalogue:
            reasons.append("catalogue (numbered links)")
        account = bool(hit) or (len(side) >= SIDEBAR_LINKS and logout)
        return PageKind(account, catalogue, ", ".join(reasons))


def series_patterns(candidates: list[Candidate]) -> collections.Counter[str]:
    """How many content links share each numbered URL pattern (/goods/#.html, ?tid=#)."""
    numbered = (
        str(c.info.get("href"))
        for c in candidates
        if c.info.get("href") and c.info.get("landmark") not in ("banner", "contentinfo")
    )
    return collections.Counter(
        series_key(href) for href in numbered if _DIGITS.search(_after_host(href))
    )


def series_key(href: str) -> str:
    return _DIGITS.sub("#", href)


def _after_host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
