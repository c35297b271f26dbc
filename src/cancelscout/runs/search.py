"""The discovery search: find the entry on a site nobody profiled, by a bounded best-first search.

States are pages plus the disclosures opened on them (``search_state.py``); each is explored
once. Before reading a state the search lets it settle (network idle, DOM quiet, both bounded)
and closes plain notices that block it; an account page that shows nothing yet (or whose tab
panel on show is empty, or that is marked busy) gets a second look. Every explored state is
recorded with a screenshot and the scores of its candidates, and every failed action with its
error, so the report explains each choice and each dead end.
Never clicks a target, a never-touch control or a form submit; never leaves the site's hosts
(all enforced by the Navigator it drives, which it shares with the run that started it).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.pages import PageKind, PageReader, series_key, series_patterns
from cancelscout.analysis.scoring import SITE_CHROME, KeywordModel, in_header
from cancelscout.browser.candidates import collect
from cancelscout.browser.locators import build
from cancelscout.browser.page_signals import (
    content_pending,
    dom_quiet,
    transitions_done,
    wait_for_change,
    watch_changes,
)
from cancelscout.browser.runtime import browser_gone
from cancelscout.errors import BlockedActionError, SiteError, action_failure, first_line
from cancelscout.profiles.schema import Locator
from cancelscout.result import LocateResult
from cancelscout.runs.navigator import Navigator
from cancelscout.runs.options import LocateOptions
from cancelscout.runs.search_found import finish_found, rank_targets, record_node
from cancelscout.runs.search_state import Action, Frontier, Node, state_key
from cancelscout.runs.side_routes import note_side_routes

DEPTH_PENALTY = 4.0
FIRST_TRY_MS = 800  # the role/name locator gets this long before the CSS fallback
HOVER_TRIES = 4  # menu triggers hovered per state
HOVER_MIN_MS = 150  # a hovered menu is read no sooner than this, whatever moves
CHILDREN_PER_STATE = 10
MIN_SCORE = 1.0
LATE_MS = 1500  # an account page without a target: how long to wait for late content
ACCOUNT_BONUS = 6.0  # ways inside the account area (its sidebar, tabs, cards)
CATALOGUE_MALUS = 8.0  # ways out of a shopping page
ACCOUNT_NAV = 8.0  # any link of the account area's own navigation
ACCOUNT_LABEL_MAX = 12  # characters: a menu item, not a post title
MENU_INHERIT = 0.6  # share of a menu trigger's score its items inherit
SERIES_MIN = 3  # links of one numbered URL pattern on a page make a series


def _thin(candidates: list[Candidate]) -> bool:
    """A page whose content area offers nothing to act on yet (only its site header, menus
    and footer): content that an API call or a timer has still to render."""
    chrome = ("banner", "navigation", "contentinfo", "complementary", "menu", "menubar")
    return not any(
        c.info.get("landmark") not in chrome and not in_header(c.info) for c in candidates
    )


def _page_link(info: dict[str, object]) -> bool:
    href = str(info.get("href") or "")
    return bool(href) and not href.startswith("javascript:") and not href.endswith("#")


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
        nav.track_activity()  # the search settles on it after every move
        self.recorder.look = nav.look  # an explore step right after its move reuses its picture
        self.model = KeywordModel()
        self.pages = PageReader()
        self._ids = itertools.count()
        self._frontier = Frontier()
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
        self._settle()
        root = Node(next(self._ids), None, self.page.url, [], [], 0, 0.0, "start")
        self._state = root.key
        self._frontier.push(root)
        while self._frontier and not self._budget_spent():
            node = self._frontier.pop()
            if node.key in self._frontier.explored:
                continue
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
                finish_found(self, found.candidate, [*found.node.path, *found.extra])
                return True
        self._not_found()
        return False

    def _not_found(self) -> None:
        assert self.page is not None
        self.result.status = "not_found"
        untried = self._frontier.untried()
        self.result.untried = untried
        spent = " (budget spent)" if self._budget_spent() else ""
        error = (
            f"no entry after exploring {len(self.result.explored)} states "
            f"({len(self.nav.visited)} pages, {self._actions} actions){spent}"
        )
        if untried:
            error += f"; {len(untried)} ways left untried: " + ", ".join(untried[:5])
        self.recorder.record(
            self.page, "stop", "not found", outcome="not_found", error=error,
            fields={"untried": untried},
        )  # fmt: skip

    def _budget_spent(self) -> bool:
        opts = self.options
        return (
            len(self.nav.visited) >= opts.max_pages
            or self._actions >= opts.max_actions
            or time.monotonic() >= self._deadline
        )

    # -- one state ----------------------------------------------------------------------------
    def _settle(self) -> None:
        assert self.page is not None
        self.nav.at_rest()
        self.nav.dismiss_notices()

    def _read(self) -> list[Candidate]:
        assert self.page is not None
        watch_changes(self.page)
        candidates = [self.model.score(c) for c in collect(self.page)]
        note_side_routes(self.page, candidates, self.result, self.model)
        return candidates

    def _expand(self, node: Node) -> _Found | None:
        assert self.page is not None
        self._reach(node)
        state = state_key(self.page.url, node.actions)
        if not self._frontier.mark(state):
            self.recorder.log.info("state_already_explored", node=node.id, url=self.page.url)
            return None
        candidates = self._read()
        kind = self.pages.kind(self.page.url, candidates)
        node.account = node.account or kind.account
        target = rank_targets(self, candidates)
        late = target is None and node.account and (_thin(candidates) or content_pending(self.page))
        if late and wait_for_change(self.page, LATE_MS):
            dom_quiet(self.page)  # late content (an API call, a timer): read it once more
            candidates = self._read()
            target = rank_targets(self, candidates)
        record_node(self, node, candidates, kind, " > ".join([state[0], *state[1]]))
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
            revealed = [c for c in self._read() if c.key not in before]
            target = rank_targets(self, revealed)
            if target is not None:
                return _Found(target, node, [hover])
            self._add_children(node, revealed, kind, prefix=[hover], bonus=2.0, within=trigger)
        self._add_children(node, candidates, kind, prefix=[])
        return None

    def _reach(self, node: Node) -> None:
        """Put the browser in ``node``'s state: reload its page and replay its actions."""
        assert self.page is not None
        if self._state == node.key:
            return
        url, done = self._state or ("", ())
        todo = [f"{a.kind}:{a.spec.describe()}" for a in node.actions]
        here = state_key(self.page.url, [])[0]
        if url == node.key[0] == here and tuple(todo[: len(done)]) == done:
            remaining = node.actions[len(done) :]  # already part-way there: no reload needed
        else:
            self._actions += 1  # going back costs a page load: the budget counts it
            self.nav.visit(
                node.url, f"back to {node.label}" if node.parent is not None else "start"
            )
            self._settle()
            remaining = node.actions
        for action in remaining:
            self._perform(action, node)
        if node.actions and state_key(self.page.url, [])[0] != node.key[0]:
            # The actions navigated: from now on this state is simply that page.
            node.url, node.actions = self.page.url, []
        self._state = node.key

    def _perform(self, action: Action, node: Node) -> None:
        assert self.page is not None
        before = self.page.url
        timeout = min(self.nav.timeout_ms, 5000)
        self._actions += 1
        try:
            target = build(self.page, action.spec)
            try:
                wait = FIRST_TRY_MS if action.fallback else timeout
                target.wait_for(state="visible", timeout=wait)
            except PlaywrightError:
                if action.fallback is None:
                    raise
                action.spec, action.fallback = action.fallback, None
                target = build(self.page, action.spec)
                target.wait_for(state="visible", timeout=timeout)
            if action.kind == "click":
                self.nav.click_element(target, timeout)
            else:
                self.nav.hover_over(target, timeout)
                transitions_done(self.page, min_ms=HOVER_MIN_MS)
        except (PlaywrightError, SiteError) as exc:
            self._failed(action, before, exc)
            raise
        self._state = None
        self._settle()
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

    def _failed(self, action: Action, url: str, exc: Exception) -> None:
        """A failed action is never silent: a step, a line of the result, a log event."""
        if isinstance(exc, PlaywrightError) and browser_gone(exc):
            return
        message = exc.message if isinstance(exc, SiteError) else action_failure(str(exc))
        self.recorder.record(
            self.page, action.kind, action.label, route="discovery",
            locator=action.spec.describe(), url_before=url, outcome="failed", error=message,
        )  # fmt: skip
        self.result.failed_actions.append(
            {"action": action.kind, "label": action.label, "url": url, "error": message}
        )

    def _add_children(
        self,
        node: Node,
        candidates: list[Candidate],
        kind: PageKind,
        prefix: list[Action],
        bonus: float = 0.0,
        within: Candidate | None = None,
    ) -> None:
        """Queue the best ways of ``candidates``. Items of a menu opened from ``within`` are
        read in its light: what 「我的用户组 ▾」 reveals is about user groups."""
        assert self.page is not None
        inherited = within.score * MENU_INHERIT if within is not None else 0.0
        # A menu's items are its navigation even when numbered (?gid=13, ?gid=20), and so are
        # the account area's own lists (its groups, its plans).
        counts = series_patterns(candidates) if within is None and not kind.account else {}
        series = {k for k, n in counts.items() if n >= SERIES_MIN}

        def value(candidate: Candidate) -> float:
            href = str(candidate.info.get("href") or "")
            if href and series_key(href) in series:
                return 0.0  # one of a series (products, posts, pages): the shop, not the account
            return max(self._worth(kind, candidate), inherited if candidate.label else 0.0)

        ranked = sorted(((value(c), c) for c in candidates), key=lambda item: -item[0])
        added = 0
        for worth, candidate in ranked:
            if added >= CHILDREN_PER_STATE or worth < MIN_SCORE:
                break
            if candidate.key in self._seen or not self._may_follow(candidate):
                continue
            if candidate.key in self._hovered and not _page_link(candidate.info):
                continue  # its menu was opened by hovering and its items are queued already
            self._seen.add(candidate.key)
            click = Action(
                "click", candidate.locator(), candidate.label, candidate.fallback_locator()
            )
            place = bonus
            if kind.account and not in_header(candidate.info):
                place += ACCOUNT_BONUS
            if kind.catalogue and candidate.info.get("landmark") not in SITE_CHROME:
                place -= CATALOGUE_MALUS  # deeper into the shop, not out of it
            child = Node(
                next(self._ids),
                node.id,
                node.url,
                [*node.actions, *prefix, click],
                [*node.path, *prefix, click],
                node.depth + 1,
                worth + place - DEPTH_PENALTY * (node.depth + 1),
                candidate.label,
                account=node.account or candidate.reason.startswith(("account", "avatar")),
            )
            self._frontier.push(child)
            added += 1

    @staticmethod
    def _worth(kind: PageKind, candidate: Candidate) -> float:
        """A way's score; in the account area its own navigation (a short link or tab outside
        the site header and footer) is worth exploring whatever it says: 「用户组」, 「Billing」
        or an unfamiliar word may well be where the membership is."""
        info = candidate.info
        short = 0 < len(candidate.label) <= ACCOUNT_LABEL_MAX
        own_nav = (
            kind.account
            and short
            and not in_header(info)
            and info.get("landmark") != "contentinfo"
            and (_page_link(info) or info.get("role") == "tab" or info.get("hasPopup"))
        )
        return max(candidate.score, ACCOUNT_NAV) if own_nav else candidate.score

    def _may_follow(self, candidate: Candidate) -> bool:
        """Moves are links to pages and controls that open menus, tabs or panels; never a
        switch, a form submit, an action URL, an entry, a page already explored or anything
        the guard refuses."""
        href = str(candidate.info.get("href") or "")
        if href.startswith(("mailto:", "tel:")):
            return False
        if href and not href.startswith("javascript:"):
            if self.nav.policy.page_refusal(href):
                return False
            if state_key(href, [])[0] in self._frontier.explored_pages:
                return False
        return self.model.safe_to_click(candidate) and not self.model.is_alternative(candidate)
