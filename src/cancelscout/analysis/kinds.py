"""Guess what a page is (promo, agreement, orders, status) from its content, for ``--url`` pages
that no profile describes. Checked in that order of certainty: an order table is unambiguous,
an agreement has many numbered clauses, a status page shows auto-renew or expiry facts, a promo
page is full of promise words."""

from __future__ import annotations

import re

from cancelscout.analysis.promises import find_promises
from cancelscout.analysis.status import read_status
from cancelscout.result import Order, PageKind

_NUMBERED = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇0-9]+条|\d+(\.\d+)*\s*[、.．)）]|[（(][一二三四五六七八九十]+[)）])"
)
_AGREEMENT_TITLE = re.compile(r"(协议|条款|须知|规则|条例|声明|terms|agreement)", re.IGNORECASE)


def infer_kind(text: str, title: str, orders: list[Order]) -> PageKind:
    if any(o.order_no for o in orders):
        return "orders"
    numbered = sum(1 for line in text.splitlines() if _NUMBERED.match(line))
    titled = bool(_AGREEMENT_TITLE.search(title)) or bool(
        _AGREEMENT_TITLE.search(text.strip().splitlines()[0] if text.strip() else "")
    )
    if numbered >= 5 or (titled and numbered >= 3):
        return "agreement"
    if any(f.name in ("auto_renew", "next_charge", "expires") for f in read_status(text)):
        return "status"
    if len({hit.phrase for hit in find_promises(text)}) >= 2:
        return "promo"
    return "page"
