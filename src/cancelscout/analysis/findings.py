"""What a capture finds in the pages it fixed, and what the whole run concludes from it.

:func:`analyse` reads one page's visible text into promise words (promo pages), challengeable
clauses (agreement and promo pages) and status facts (auto-renew, next charge). :func:`conclude`
sums a run's pages up into its result: the auto-renew status and next charge date (a status
page's word first), the grade of the flagged clauses and the run's status. Pure functions over
text and result models; no browser, no bundle.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cancelscout.analysis import clauses as clause_rules
from cancelscout.analysis.promises import find_promises
from cancelscout.analysis.status import read_status
from cancelscout.result import (
    Blocked,
    CaptureResult,
    CaptureStatus,
    FlaggedClause,
    Grade,
    Promise,
    StatusFact,
)


def analyse(
    text: str, kind: str, url: str, index: int
) -> tuple[list[Promise], list[FlaggedClause], list[StatusFact]]:
    promises: list[Promise] = []
    if kind == "promo":
        promises = [
            Promise(phrase=hit.phrase, page_url=url, text=hit.sentence, record=index)
            for hit in find_promises(text)
        ]
    flagged: list[FlaggedClause] = []
    if kind in ("agreement", "promo"):
        flagged = [
            FlaggedClause(
                rule=hit.rule.id,
                text=hit.sentence,
                page_url=url,
                severity=hit.rule.severity,
                title=hit.rule.title,
                explanation=hit.rule.explanation,
                basis=list(hit.rule.basis),
                matched_by=hit.matched_by,
                record=index,
            )
            for hit in clause_rules.scan(text, kind)
        ]
    facts = [
        StatusFact(name=f.name, value=f.value, text=f.line, page_url=url, record=index)
        for f in read_status(text)
    ]
    return promises, flagged, facts


def conclude(result: CaptureResult, renew_from_rules: str, flags: set[str]) -> None:
    """Fill ``result``'s auto-renew, next charge, grade and status from its pages' findings.

    ``renew_from_rules`` is what the profile's auto-renew rules read on a status page
    ("unknown" when they read nothing); ``flags`` holds "needs_human" and "login_required"
    when a page showed a human check or asked for a login."""
    facts = sorted(
        result.status_facts,
        key=lambda f: 0 if page_kind(result, f.record) == "status" else 1,
    )
    first: dict[str, StatusFact] = {}
    for fact in facts:
        first.setdefault(fact.name, fact)
    renew = renew_from_rules
    if renew == "unknown" and "auto_renew" in first:
        renew = first["auto_renew"].value
    result.auto_renew = renew  # type: ignore[assignment]
    if "next_charge" in first:
        result.next_charge = first["next_charge"].value
    scanned = any(p.kind in ("agreement", "promo") and p.text for p in result.pages)
    hits = [
        clause_rules.Hit(clause_rules.default_rules().rule(c.rule), c.text) for c in result.clauses
    ]
    graded = clause_rules.grade(hits, scanned)
    result.grade = Grade(grade=graded[0], reason=graded[1]) if graded else None
    result.status = capture_status(result, flags)


def capture_status(result: CaptureResult, flags: set[str]) -> CaptureStatus:
    if "needs_human" in flags:
        return "needs_human"
    if "login_required" in flags:
        return "login_required"
    if any(p.error is None or p.screenshot for p in result.pages if p.text):
        return "captured"
    return "not_found"


def page_kind(result: CaptureResult, record: int | None) -> str | None:
    return next((p.kind for p in result.pages if p.record == record), None)


def definite(current: str, new: str) -> str:
    return new if current == "unknown" else current


def held_back_warning(blocked: list[Blocked]) -> str | None:
    """What the read-only network held back while a page loaded, as the capture's warning: a
    page that fetches its list by POST shows "暂无数据" without it, and its capture must not
    read as "no orders"."""
    held = [b for b in blocked if b.kind == "request"]
    if not held:
        return None
    shown = ", ".join(f"{b.method} {urlsplit(b.url).path}" for b in held[:3])
    more = f" and {len(held) - 3} more" if len(held) > 3 else ""
    return (
        f"the read-only network held back {len(held)} request(s) of this page ({shown}{more}): "
        "what they would have loaded is missing; a profile's allow_requests can let "
        "read-only ones through"
    )
