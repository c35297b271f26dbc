"""A control seen on a page, as plain data: what it says, where it is, how to find it again.

``browser/candidates.py`` collects them from a live page; ``analysis/scoring.py`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cancelscout.profiles.schema import Locator


@dataclass
class Candidate:
    info: dict[str, Any]
    frames: list[str] = field(default_factory=list)
    score: float = 0.0
    reason: str = ""

    @property
    def label(self) -> str:
        """What a person reads on it: its text (decorations left out), else aria-label/title."""
        text = str(self.info.get("accText") or self.info.get("text") or "").strip()
        return (
            text
            or str(
                self.info.get("aria") or self.info.get("axName") or self.info.get("title") or ""
            ).strip()
        )

    @property
    def name(self) -> str:
        """Its accessible name: the browser's own (accessibility tree) where it was read, else
        aria-label over text, as the accessibility tree would compute it."""
        computed = str(self.info.get("axName") or "").strip()
        aria = str(self.info.get("aria") or "").strip()
        return computed or aria or self.label

    @property
    def key(self) -> str:
        """Identity across pages: the link target, else the frame path and name."""
        href = self.info.get("href")
        if href and not str(href).endswith("#") and "javascript:" not in str(href):
            return f"href:{href}"
        return f"ctl:{'>'.join(self.frames)}:{self.info.get('role')}:{self.name}"

    @property
    def icon_only(self) -> bool:
        return not str(self.info.get("text") or "").strip()

    def fallback_locator(self) -> Locator | None:
        """A CSS path, for when the accessible name computed here differs from the browser's."""
        css = self.info.get("css")
        return Locator(css=str(css), frame=self.frames) if css else None

    def locator(self) -> Locator:
        """The most robust locator for it: role + name, then text, then CSS."""
        role, name = self.info.get("role"), self.name
        if role and name and len(name) <= 60:
            spec = Locator(role=role, name=name, match="exact", frame=self.frames)
        elif self.label and len(self.label) <= 60:
            spec = Locator(text=self.label, match="exact", frame=self.frames)
        elif self.info.get("css"):
            spec = Locator(css=str(self.info["css"]), frame=self.frames)
        else:
            spec = Locator(text=name or "?", match="exact", frame=self.frames)
        return spec
