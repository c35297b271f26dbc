"""The ``evidence:`` section of a site profile: which pages ``cancelscout capture`` fixes.

Kept apart from ``schema.py`` so the capture feature owns its own part of the profile. Each list
holds paths or URLs on the platform's own hosts; capture only ever opens them, it never clicks.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

EVIDENCE_KINDS = ("promo", "agreement", "orders", "status")


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    promo: list[str] = Field(
        default_factory=list,
        description="Promotion pages of the membership (the 永久 / 终身 / 特权 promises).",
    )
    agreement: list[str] = Field(
        default_factory=list, description="The membership agreement / terms of service."
    )
    orders: list[str] = Field(
        default_factory=list, description="Order or payment records (logged-in pages)."
    )
    status: list[str] = Field(
        default_factory=list,
        description="The membership status page (auto-renew, next charge date).",
    )
    membership_items: list[str] = Field(
        default_factory=list,
        description="Words that mark an order as a purchase of this platform's membership "
        "(e.g. 黄金会员); without them a built-in list is used.",
    )

    def pages(self, kinds: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
        """(kind, path) pairs of the requested kinds, in profile order, duplicates dropped."""
        seen: set[tuple[str, str]] = set()
        pairs: list[tuple[str, str]] = []
        for kind in EVIDENCE_KINDS:
            if kind not in kinds:
                continue
            for path in getattr(self, kind):
                if (kind, path) not in seen:
                    seen.add((kind, path))
                    pairs.append((kind, path))
        return pairs
