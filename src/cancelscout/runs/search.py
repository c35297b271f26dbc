"""The discovery search: find the entry on a site nobody profiled, by a bounded best-first search.

States are (page URL, actions taken on it without navigating: opening a menu, a modal).
Each explored state is recorded with a screenshot and the scores of the candidates that led
the search on, so the report explains every choice. Never clicks a target, a never-touch
control or a form submit; never leaves the site's hosts (all enforced by the Navigator it
drives, which it shares with the run that started it).
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.page_text import auto_renew_in_text, service_numbers
from cancelscout.analysis.scoring import MEMBERSHIP_CANCEL, KeywordModel
from cancelscout.browser.candidates import collect
from cancelscout.browser.locators import build
from cancelscout.browser.page_signals import deep_text, dom_quiet
from cancelscout.browser.runtime import browser_gone
from cancelscout.errors import BlockedActionError, SiteError, first_line
from cancelscout.profiles.schema import Locator
from cancelscout.result import LocateResult, PathStep
from cancelscout.runs.navigator import Navigator
from cancelscout.runs.options import LocateOptions
from cancelscout.textnorm import normalize

DEPTH_PENALTY = 4.0
FIRST_TRY_MS = 800  # the role/name locator gets this long before the CSS fallback
HOVER_SETTLE_MS = 150  # CSS menus open at once; transitions get this long
HOVER_TRIES = 4  # menu triggers hovered per state
CHILDREN_PER_STATE = 10
MIN_SCORE = 1.0


@dataclass
class Action:
    kind: str  # click | hover
    spec: Locator
    label: str
    fallback: Locator | None = None  # used (and kept, for learned profiles) if spec fails
    url_after: str = ""  # the page URL once the action was done


@dataclass
class Node:
    id: int
    parent: int | None
    url: str
    actions: list[Action]
    path: list[Action]  # every action from the start page, for the breadcrumb and profiles
    depth: int
    score: float
    label: str

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.url, tuple(f"{a.kind}:{a.spec.describe()}" for a in self.actions)


@dataclass
class _Found:
    candidate: Candidate
    node: Node
    extra: list[Action] = field(default_factory=list)


class Search:
    """A best-first search from the navigator's current page; fills ``result`` as it goes."""

    def __init__(
        self, nav: Navigator, result: LocateResult, options: LocateOptions, start_url: str
    ) -> None:
        self.nav = nav
        self.result = result
        self.options = options
        self.start_url = start_url
        self.recorder = nav.recorder
        self.model = KeywordModel()
        self._ids = itertools.count()
        self._order = itertools.count()
        self._frontier: list[tuple[float, int, Node]] = []
        self._seen: set[str] = set()
        self._state: tuple[str, tuple[str, ...]] | None = None
        self._actions = 0
        self._deadline = time.monotonic() + options.time_budget_s  # the budget starts now
        self._hovered: set[str] = set()
        # What was found, as replayable steps: (actions from the start page, entry locator).
        self.learned: tuple[list[Action], Locator] | None = None
        self.renew_evidence: str | None = None  # the page text that showed the auto-renew state

    @property
    def page(self) -> Page | None:
        return self.nav.page

    def discover(self) -> bool:
        """Search from the current page; True when the entry was found (result filled)."""
        assert self.page is not None
        root = Node(next(self._ids), None, self.page.url, [], [], 0, 0.0, "start")
        self._state = root.key
        self._push(root)
        while self._frontier and not self._budget_spent():
            _, _, node = heapq.heappop(self._frontier)
            try:
                found = self._expand(node)
            except (SiteError, BlockedActionError, PlaywrightError) as exc:
                if isinstance(exc, PlaywrightError) and browser_gone(exc):
                    raise SiteError(f"the browser failed: {first_line(str(exc))}") from None
                message = (
                    exc.message
                    if isinstance(exc, (SiteError, BlockedActionError))
                    else first_line(str(exc))
                )
                self.recorder.log.warning("discovery_dead_end", node=node.id, error=message)
                self._state = None
                continue
            if found is not None:
                self._finish_found(found)
                return True
        self.result.status = "not_found"
        self.recorder.record(
            self.page,
            "stop",
            "not found",
            outcome="not_found",
            error=f"no entry after exploring {len(self.result.explored)} states "
            f"({len(self.nav.visited)} pages, {self._actions} actions)",
        )
        return False

    def _budget_spent(self) -> bool:
        opts = self.options
        return (
            len(self.nav.visited) >= opts.max_pages
            or self._actions >= opts.max_actions
            or time.monotonic() >= self._deadline
        )

    def _push(self, node: Node) -> None:
        heapq.heappush(self._frontier, (-node.score, next(self._order), node))

    # -- one state ----------------------------------------------------------------------------
    def _expand(self, node: Node) -> _Found | None:
        assert self.page is not None
        self._reach(node)
        dom_quiet(self.page)
        candidates = [self.model.score(c) for c in collect(self.page)]
        self._note_side_routes(candidates)
        self._record_node(node, candidates)
        target = self._best_target(candidates)
        if target is not None:
            return _Found(target, node)
        before = {c.key for c in candidates}
        # Pure-CSS menus: hover the likely triggers and look at what appears.
        # The same site-wide menu sits on every page: hovering it once is enough.
        triggers = sorted(
            (
                c
                for c in candidates
                if c.info.get("hiddenChildren")
                and c.score >= MIN_SCORE
                and c.key not in self._hovered
                and self.model.safe_to_click(c)
            ),
            key=lambda c: -c.score,
        )[:HOVER_TRIES]
        for trigger in triggers:
            self._hovered.add(trigger.key)
            hover = Action("hover", trigger.locator(), trigger.label, trigger.fallback_locator())
            self._perform(hover, node)
            self._state = node.key  # a hover changes nothing a reload would restore
            revealed = [self.model.score(c) for c in collect(self.page) if c.key not in before]
            self._note_side_routes(revealed)
            target = self._best_target(revealed)
            if target is not None:
                return _Found(target, node, [hover])
            self._add_children(node, revealed, prefix=[hover], bonus=2.0)
        self._add_children(node, candidates, prefix=[])
        return None

    def _reach(self, node: Node) -> None:
        """Put the browser in ``node``'s state: reload its page and replay its actions."""
        assert self.page is not None
        if self._state == node.key:
            return
        url, done = self._state or ("", ())
        todo = [f"{a.kind}:{a.spec.describe()}" for a in node.actions]
        if url == node.url == self.page.url and tuple(todo[: len(done)]) == done:
            remaining = node.actions[len(done) :]  # already part-way there: no reload needed
        else:
            self.nav.visit(
                node.url, f"back to {node.label}" if node.parent is not None else "start"
            )
            remaining = node.actions
        for action in remaining:
            self._perform(action, node)
        if node.actions and self.page.url != node.url:
            # The actions navigated: from now on this state is simply that page.
            node.url, node.actions = self.page.url, []
        self._state = node.key

    def _perform(self, action: Action, node: Node) -> None:
        assert self.page is not None
        before = self.page.url
        timeout = min(self.nav.timeout_ms, 5000)
        target = build(self.page, action.spec)
        try:
            target.wait_for(state="visible", timeout=FIRST_TRY_MS if action.fallback else timeout)
        except PlaywrightError:
            if action.fallback is None:
                raise
            action.spec, action.fallback = action.fallback, None
            target = build(self.page, action.spec)
            target.wait_for(state="visible", timeout=timeout)
        self._actions += 1
        if action.kind == "click":
            self.nav.click_element(target, timeout)
        else:
            self.nav.hover_over(target, timeout)
            self.page.wait_for_timeout(HOVER_SETTLE_MS)
        dom_quiet(self.page)
        self._state = None
        action.url_after = self.page.url
        self.recorder.record(
            self.page,
            action.kind,
            action.label,
            route="discovery",
            locator=action.spec.describe(),
            url_before=before,
            outcome="ok",
            fields={"node": node.id},
        )
        self.nav.check_challenge()

    def _add_children(
        self, node: Node, candidates: list[Candidate], prefix: list[Action], bonus: float = 0.0
    ) -> None:
        assert self.page is not None
        ranked = sorted(candidates, key=lambda c: -c.score)
        added = 0
        for candidate in ranked:
            if added >= CHILDREN_PER_STATE or candidate.score < MIN_SCORE:
                break
            if candidate.key in self._seen or not self._may_follow(candidate):
                continue
            self._seen.add(candidate.key)
            click = Action(
                "click", candidate.locator(), candidate.label, candidate.fallback_locator()
            )
            child = Node(
                next(self._ids),
                node.id,
                node.url,
                [*node.actions, *prefix, click],
                [*node.path, *prefix, click],
                node.depth + 1,
                candidate.score + bonus - DEPTH_PENALTY * (node.depth + 1),
                candidate.label,
            )
            self._push(child)
            added += 1

    def _may_follow(self, candidate: Candidate) -> bool:
        """Moves are links to pages and controls that open menus, tabs or panels; never a
        switch, a form submit, an action URL, an entry or anything the guard refuses."""
        href = str(candidate.info.get("href") or "")
        if href.startswith(("mailto:", "tel:")):
            return False
        if href and not href.startswith("javascript:") and self.nav.policy.page_refusal(href):
            return False
        return self.model.safe_to_click(candidate) and not self.model.is_alternative(candidate)

    def _best_target(self, candidates: list[Candidate]) -> Candidate | None:
        hits = [(c, self.model.target_word(c)) for c in candidates]
        hits = [(c, w) for c, w in hits if w is not None]
        for candidate, _ in hits:  # every entry's link is never opened, the best one's or not
            self.nav.policy.never_open(str(candidate.info.get("href") or ""))
        if not hits:
            return None

        def rank(hit: tuple[Candidate, str | None]) -> tuple[bool, bool, int, int, float]:
            # A target phrase beats a control that only says cancel about the membership; a
            # control named exactly like the target beats one that merely contains it
            # ("自动续费" beats the look-alike "自动续费到期提醒"); then the longer phrase,
            # the shorter name, the higher on the page.
            candidate, word = hit
            name = normalize(candidate.name)
            phrase = not str(word).endswith(MEMBERSHIP_CANCEL)
            exact = name == word or name in self.model.switch_labels
            return phrase, exact, len(word or ""), -len(name), -float(candidate.info["y"])

        candidate, word = max(hits, key=rank)
        candidate.reason = f"target {word!r}"
        return candidate

    # -- evidence -----------------------------------------------------------------------------
    def _record_node(self, node: Node, candidates: list[Candidate]) -> None:
        assert self.page is not None
        top = sorted(candidates, key=lambda c: -c.score)[:6]
        scores = [
            {"label": c.label, "score": round(c.score, 1), "why": c.reason}
            for c in top
            if c.score > 0
        ]
        record = self.recorder.record(
            self.page,
            "explore",
            node.label,
            route="discovery",
            outcome="ok",
            fields={"node": node.id, "parent": node.parent, "candidates": scores},
        )
        shots = [a["name"] for a in record["artifacts"] if a["name"].endswith(".png")]
        self.result.explored.append(
            {
                "node": node.id,
                "parent": node.parent,
                "label": node.label,
                "url": self.page.url,
                "depth": node.depth,
                "screenshot": shots[0] if shots else None,
                "candidates": scores,
            }
        )

    def _note_side_routes(self, candidates: list[Candidate]) -> None:
        assert self.page is not None
        known = {
            (item["text"], item.get("href", ""))
            for item in [*self.result.alternatives, *self.result.support]
        }
        for candidate in candidates:
            entry = {
                "text": candidate.label,
                "href": str(candidate.info.get("href") or ""),
                "page_url": self.page.url,
            }
            if (entry["text"], entry["href"]) in known:
                continue
            if self.model.is_alternative(candidate):
                self.result.alternatives.append(entry)
                known.add((entry["text"], entry["href"]))
            elif self.model.is_support(candidate):
                self.result.support.append(entry)
                known.add((entry["text"], entry["href"]))
        for number in service_numbers(deep_text(self.page)):
            if (number, "") not in known:
                self.result.support.append({"text": number, "href": "", "page_url": self.page.url})
                known.add((number, ""))

    def _finish_found(self, found: _Found) -> None:
        assert self.page is not None
        actions = [*found.node.path, *found.extra]
        spec = found.candidate.locator()
        locator = build(self.page, spec)
        entry = self.nav.capture_entry(locator, spec.describe())
        steps = [PathStep(action="goto", label="start", url=self.start_url)]
        steps += [
            PathStep(action=a.kind, label=a.label, url=a.url_after or self.page.url)
            for a in actions
        ]
        steps.append(PathStep(action="entry", label=entry.text, url=self.page.url))
        self.result.status = "found"
        self.result.entry = entry
        self.result.path = steps
        self.result.clicks = sum(a.kind == "click" for a in actions)
        self.result.hovers = sum(a.kind == "hover" for a in actions)
        self.result.auto_renew = self._auto_renew(found.candidate)  # type: ignore[assignment]
        self.learned = (actions, spec)

    def _auto_renew(self, candidate: Candidate) -> str:
        if candidate.info.get("role") in ("switch", "checkbox"):
            return "on" if candidate.info.get("checked") else "off"
        assert self.page is not None
        state, self.renew_evidence = auto_renew_in_text(deep_text(self.page, frames=True))
        return state
