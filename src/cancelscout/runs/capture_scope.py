"""What a capture run is asked to fix: the ``--what`` kinds, the platform's hosts, the profile.

This module turns the command line of ``capture`` into the inputs of a run before any browser
opens: :func:`parse_what` reads the ``--what`` list of evidence kinds and :func:`url_profile`
makes a stand-in profile for ``capture --url`` without a profile. (The hosts a profile may reach
and its move to a mirror address are ``Profile.hosts`` and ``Profile.at``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from cancelscout.errors import UsageError
from cancelscout.profiles.evidence import EVIDENCE_KINDS
from cancelscout.profiles.schema import Profile

WHAT_CHOICES = (*EVIDENCE_KINDS, "all")


def parse_what(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``promo,agreement`` → ('promo', 'agreement'); ``all`` (the default) → every kind."""
    items: list[str] = []
    for part in [value] if isinstance(value, str) or value is None else list(value):
        items.extend(p.strip() for p in (part or "all").split(",") if p.strip())
    unknown = [i for i in items if i not in WHAT_CHOICES]
    if unknown:
        raise UsageError(
            f"--what: unknown kind(s) {', '.join(unknown)}; choose from {', '.join(WHAT_CHOICES)}."
        )
    return EVIDENCE_KINDS if "all" in items or not items else tuple(dict.fromkeys(items))


def url_profile(urls: Sequence[str]) -> Profile:
    """A stand-in profile for ``capture --url`` without a profile: the platform is the URL's
    host, and navigation may reach that host only."""
    hosts = {(urlsplit(u).hostname or "").lower() for u in urls}
    schemes = {urlsplit(u).scheme for u in urls}
    if not urls or "" in hosts or not schemes <= {"http", "https"}:
        raise UsageError("--url needs absolute http(s) URLs, e.g. https://shop.example.com/vip")
    if len(hosts) > 1:
        raise UsageError(
            f"--url pages span several hosts ({', '.join(sorted(hosts))}); without a profile "
            "capture stays on one host. Capture each host separately, or write a profile."
        )
    host = hosts.pop()
    first = urlsplit(urls[0])
    # model_construct: no routes or login rules exist for a host nobody described.
    return Profile.model_construct(
        schema_version=1,
        id=host,
        name=host,
        base_url=f"{first.scheme}://{first.netloc}/",
        allowed_domains=[host],
        login=None,  # type: ignore[arg-type]
        routes=[],
        auto_renew=None,
        challenge=[],
        mask=[],
        allow_requests=[],
        evidence=None,
    )
