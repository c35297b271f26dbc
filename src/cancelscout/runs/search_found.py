"""The search's evidence: each explored state, the choice of a target, the entry it found."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from playwright.sync_api import Page

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.page_text import auto_renew_in_text
from cancelscout.analysis.pages import PageKind
from cancelscout.analysis.scoring import MEMBERSHIP_CANCEL, KeywordModel, context_texts
from cancelscout.browser.locators import build
from cancelscout.browser.page_signals import deep_text
from cancelscout.profiles.schema import Locator
from cancelscout.result import LocateResult, PathStep
from cancelscout.runs.navigator import Navigator
from cancelscout.runs.recorder import StepRecorder
from cancelscout.textnorm import normalize

if TYPE_CHECKING:
    from cancelscout.runs.search_state import Action, Node


class Search(Protocol):
    """What these functions read and fill of a search (``runs/search.py``)."""

    model: KeywordModel
    nav: Navigator
    recorder: StepRecorder
    result: LocateResult
    start_url: str
    learned: tuple[list[Action], Locator] | None
    renew_evidence: str | None

    @property
    def page(self) -> Page | None: ...


def rank_targets(search: Search, candidates: list[Candidate]) -> Candidate | None:
    """The best entry among ``candidates``; every entry's link is marked never to be opened."""
    model = search.model
    hits = [(c, model.target_word(c)) for c in candidates]
    hits = [(c, w) for c, w in hits if w is not None]
    for candidate, _ in hits:  # every entry's link is never opened, the best one's or not
        search.nav.policy.never_open(str(candidate.info.get("href") or ""))
    if not hits:
        return None

    def rank(hit: tuple[Candidate, str | None]) -> tuple[bool, bool, bool, int, int, float]:
        # A control in the page's content beats one in site chrome; a target phrase beats a
        # control that only says cancel about the membership; a control named exactly like
        # the target beats one that merely contains it ("自动续费" beats "自动续费到期提醒");
        # then the longer phrase, the shorter name, the higher on the page.
        candidate, word = hit
        name = normalize(candidate.name)
        content = candidate.info.get("landmark") not in ("banner", "navigation")
        phrase = not str(word).endswith(MEMBERSHIP_CANCEL)
        exact = name == word or name in model.switch_labels
        return content, phrase, exact, len(word or ""), -len(name), -float(candidate.info["y"])

    candidate, word = max(hits, key=rank)
    candidate.reason = f"target {word!r}"
    return candidate


def record_node(
    search: Search, node: Node, candidates: list[Candidate], kind: PageKind, state: str
) -> None:
    page = search.page
    assert page is not None
    top = sorted(candidates, key=lambda c: -c.score)[:6]
    scores = [
        {"label": c.label, "score": round(c.score, 1), "why": c.reason} for c in top if c.score > 0
    ]
    record = search.recorder.record(
        page,
        "explore",
        node.label,
        route="discovery",
        outcome="ok",
        fields={"node": node.id, "parent": node.parent, "candidates": scores, "page": kind.why},
        reads_only=True,
    )
    shots = [a["name"] for a in record["artifacts"] if a["name"].endswith(".png")]
    search.result.explored.append(
        {
            "node": node.id,
            "parent": node.parent,
            "label": node.label,
            "url": page.url,
            "depth": node.depth,
            "state": state,
            "page": kind.why,
            "screenshot": shots[0] if shots else None,
            "candidates": scores,
        }
    )


def finish_found(search: Search, candidate: Candidate, actions: list[Action]) -> None:
    page = search.page
    assert page is not None
    spec = candidate.locator()
    context = " / ".join(context_texts(candidate)[:2]) or None
    entry = search.nav.capture_entry(
        build(page, spec), spec.describe(), name=candidate.name, context=context
    )
    steps = [PathStep(action="goto", label="start", url=search.start_url)]
    steps += [PathStep(action=a.kind, label=a.label, url=a.url_after or page.url) for a in actions]
    steps.append(PathStep(action="entry", label=entry.text, url=page.url))
    result = search.result
    result.status = "found"
    result.entry = entry
    result.path = steps
    result.clicks = sum(a.kind == "click" for a in actions)
    result.hovers = sum(a.kind == "hover" for a in actions)
    result.auto_renew = auto_renew(search, candidate)  # type: ignore[assignment]
    search.learned = (actions, spec)


def auto_renew(search: Search, candidate: Candidate) -> str:
    if candidate.info.get("role") in ("switch", "checkbox"):
        return "on" if candidate.info.get("checked") else "off"
    assert search.page is not None
    state, search.renew_evidence = auto_renew_in_text(deep_text(search.page, frames=True))
    return state
