"""Gather a letter's facts from bundles, each with the evidence items it rests on.

The rule: every statement about the platform comes from a step record of an intact bundle and
carries the numbers (E1, E2 …) of the files that show it; what only the user knows comes from
``--facts`` or stays a marked placeholder. Nothing is computed that no page states (no refund
sum, no dates), and a law is cited only where its quoted text supports the point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from cancelscout.analysis.clauses import default_rules
from cancelscout.integrity.bundle_read import BundleView, EvidenceItem
from cancelscout.output.letters.facts import Facts
from cancelscout.result import CaptureResult

LetterKind = Literal["request", "complaint"]
DEADLINE_WORKING_DAYS = 3
MAX_PROMISE_SENTENCES = 5


def placeholder(label: str) -> str:
    return f"【待填写：{label}】"


@dataclass
class Evidence:
    items: list[tuple[str, EvidenceItem]] = field(default_factory=list)  # (E-number, item)
    by_record: dict[tuple[str, int], list[tuple[str, EvidenceItem]]] = field(default_factory=dict)

    def add(self, bundle: BundleView) -> None:
        for item in bundle.items():
            number = f"E{len(self.items) + 1}"
            self.items.append((number, item))
            self.by_record.setdefault((bundle.name, item.record), []).append((number, item))

    def refs(self, bundle: BundleView, record: int | None, *, crop: str | None = None) -> str:
        """ "证据 E3、E4": the files of one step record (a named crop first, then the page)."""
        entries = self.by_record.get((bundle.name, record or 0), [])
        chosen = [n for n, item in entries if crop is not None and item.name == crop]
        chosen += [
            n
            for n, item in entries
            if item.what in ("整页截图", "PDF 打印件", "取消入口截图", "标注截图")
            and n not in chosen
        ]
        return "证据 " + "、".join(chosen) if chosen else ""


def _locate_bundle(capture: BundleView, others: list[BundleView]) -> BundleView | None:
    """The bundle that says where the cancel entry is: the capture bundle itself when it holds a
    locate run (``locate-cancel --capture``), else a locate bundle of the same platform."""
    if capture.locate() is not None:
        return capture
    return next((b for b in others if b.platform == capture.platform and b.locate()), None)


def _cancel_entry(bundle: BundleView | None, evidence: Evidence) -> dict[str, Any] | None:
    if bundle is None:
        return None
    result = bundle.locate()
    assert result is not None
    entry_record = next(
        (int(r["index"]) for r in bundle.records if r.get("action") == "entry"), None
    )
    stop_record = next(
        (int(r["index"]) for r in reversed(bundle.records) if r.get("action") == "stop"), None
    )
    return {
        "status": result.status,
        "found": result.status == "found" and result.entry is not None,
        "text": result.entry.text if result.entry else None,
        "breadcrumb": " › ".join(result.breadcrumb()),
        "page_url": result.entry.page_url if result.entry else None,
        "clicks": result.clicks,
        "hovers": result.hovers,
        "routes_tried": len(result.routes_tried),
        "bundle": bundle.name,
        "ref": evidence.refs(bundle, entry_record if result.entry else stop_record),
    }


def _laws_for(capture: CaptureResult, facts: Facts) -> list[dict[str, str]]:
    rules = default_rules()
    wanted: list[str] = []
    for clause in capture.clauses:
        wanted.extend(clause.basis)
    if any(o.membership for o in capture.orders) or facts.paid_amount:
        wanted.append("cpl-impl-22")  # the refund of money paid in advance for the service
    if capture.auto_renew == "on":
        wanted.append("cpl-impl-10")  # notice before the service and before each renewal
    order = list(rules.laws)
    unique = sorted(dict.fromkeys(wanted), key=order.index)
    return [
        {
            "id": i,
            "name": rules.laws[i].name,
            "quote": rules.laws[i].quote,
            "citation": rules.laws[i].citation,
        }
        for i in unique
    ]


def build_context(
    kind: LetterKind,
    bundle: BundleView,
    facts: Facts,
    others: list[BundleView] | None = None,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    capture = bundle.capture()
    if capture is None:
        from cancelscout.errors import UsageError

        raise UsageError(
            f"{bundle.root} holds no captured pages: run 'cancelscout capture PLATFORM' (or "
            "'locate-cancel --capture') first, then draft the letter from that bundle."
        )
    locate_bundle = _locate_bundle(bundle, others or [])
    evidence = Evidence()
    evidence.add(bundle)
    if locate_bundle is not None and locate_bundle is not bundle:
        evidence.add(locate_bundle)

    def ref(record: int | None, crop: str | None = None) -> str:
        return evidence.refs(bundle, record, crop=crop)

    membership = [{**o.model_dump(), "ref": ref(o.record)} for o in capture.orders if o.membership]
    sentences: dict[str, dict[str, Any]] = {}
    for promise in capture.promises:
        item = sentences.setdefault(
            promise.text,
            {
                "text": promise.text,
                "phrases": [],
                "page_url": promise.page_url,
                "ref": ref(promise.record),
            },
        )
        if promise.phrase not in item["phrases"]:
            item["phrases"].append(promise.phrase)
    # The sentences richest in promise words first (stable: page order among equals).
    promises = sorted(sentences.values(), key=lambda s: -len(s["phrases"]))
    promises = promises[:MAX_PROMISE_SENTENCES]
    facts_by_name: dict[str, dict[str, Any]] = {}
    for fact in capture.status_facts:
        facts_by_name.setdefault(fact.name, {**fact.model_dump(), "ref": ref(fact.record)})
    laws = _laws_for(capture, facts)
    law_names = {law["id"]: law["name"] for law in laws}
    # One entry per quoted sentence, with every rule it breaks (2.3 can be two problems).
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for c in capture.clauses:
        item = grouped.setdefault(
            (c.page_url, c.text),
            {
                "text": c.text,
                "page_url": c.page_url,
                "ref": ref(c.record, crop=c.crop),
                "problems": [],
                "law_names": [],
            },
        )
        item["problems"].append({"title": c.title, "explanation": c.explanation, "rule": c.rule})
        for basis in c.basis:
            if law_names.get(basis) and law_names[basis] not in item["law_names"]:
                item["law_names"].append(law_names[basis])
    clauses = list(grouped.values())
    site = capture.site or ""
    return {
        "kind": kind,
        "platform_name": capture.platform_name or capture.platform,
        "platform_id": capture.platform,
        "site": site,
        "host": urlsplit(site).hostname or capture.platform,
        "facts": facts,
        "ph": placeholder,
        "membership_orders": membership,
        "other_orders": len(capture.orders) - len(membership),
        "promises": promises,
        "status": facts_by_name,
        "auto_renew": capture.auto_renew,
        "next_charge": capture.next_charge,
        "clauses": clauses,
        "grade": capture.grade,
        "cancel": _cancel_entry(locate_bundle, evidence),
        "laws": laws,
        "deadline_days": DEADLINE_WORKING_DAYS,
        "evidence": evidence.items,
        "bundles": [
            {
                "name": b.name,
                "path": str(b.root),
                "run_id": b.manifest.get("run_id"),
                "manifest_sha256": b.manifest_sha256,
                "signer": b.signer,
                "status": b.verify.status,
                "started": b.manifest.get("started"),
            }
            for b in [bundle, *([locate_bundle] if locate_bundle not in (None, bundle) else [])]
            if b is not None
        ],
        "drafted": (today or date.today()).isoformat(),
    }
