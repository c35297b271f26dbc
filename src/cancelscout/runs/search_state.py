"""The states of the discovery search: actions, nodes, state keys and the frontier.

A state is a page (its URL without volatile parameters) plus the disclosure path opened on it
without navigating (a menu, a tab, a drawer). Every state is explored at most once: menus
that are the same on every page, a catalogue whose pages link to each other, a "back" link —
none of them brings the search back to where it has been.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

from cancelscout.analysis.urls import state_url
from cancelscout.profiles.schema import Locator


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
    account: bool = False  # reached through the account area (its menu, its pages)

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return state_key(self.url, self.actions)


def state_key(url: str, actions: list[Action]) -> tuple[str, tuple[str, ...]]:
    return state_url(url), tuple(f"{a.kind}:{a.spec.describe()}" for a in actions)


class Frontier:
    """Best-first queue of states to explore, with the set of states already explored."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Node]] = []
        self._order = itertools.count()
        self.explored: set[tuple[str, tuple[str, ...]]] = set()
        self.explored_pages: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self._heap)

    def push(self, node: Node) -> None:
        heapq.heappush(self._heap, (-node.score, next(self._order), node))

    def pop(self) -> Node:
        return heapq.heappop(self._heap)[2]

    def mark(self, key: tuple[str, tuple[str, ...]]) -> bool:
        """Remember ``key`` as explored; False when it already was (do not explore again)."""
        if key in self.explored:
            return False
        self.explored.add(key)
        if not key[1]:
            self.explored_pages.add(key[0])
        return True

    def untried(self, limit: int = 10) -> list[str]:
        """The best states left unexplored, as 'label (score)', best first."""
        best = sorted(self._heap)[:limit]
        return [f"{node.label} ({-score:.0f})" for score, _, node in best]
