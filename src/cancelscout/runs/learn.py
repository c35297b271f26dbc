"""Turn what discovery found into a site profile anyone can replay without discovery."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import yaml

from cancelscout.errors import UsageError
from cancelscout.profiles.loader import parse_profile
from cancelscout.profiles.schema import Locator
from cancelscout.runs.discover import DiscoveryRun

HEADER = """\
# yaml-language-server: $schema=../schema/profile.schema.json
# Learned by `cancelscout profiles learn` on {today} from {start}
# (evidence: {bundle}).
# Discovery found: {crumbs}
# Friction: {friction}
# The login rules are inferred: the entry's page must show the entry when logged in, and the
# site sends logged-out visitors to a URL containing "login". Check them, then run
# `cancelscout profiles test {profile_id}`.
"""


def _locator(spec: Locator) -> dict[str, Any]:
    data = spec.model_dump(exclude_defaults=True)
    return data


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (
        (parts.path or "/")
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def learned_profile_yaml(run: DiscoveryRun, profile_id: str, *, name: str | None = None) -> str:
    """A commented YAML profile that replays ``run``'s path; validated before it is returned."""
    result, search = run.result, run.search
    if search.learned is None or result.entry is None:
        raise UsageError(
            f"discovery did not find an entry (status {result.status}), so there is nothing to "
            "learn. See the bundle's report for the explored map."
        )
    actions, entry_spec = search.learned
    base = urlsplit(search.start_url)
    steps: list[dict[str, Any]] = []
    for action in actions:
        step: dict[str, Any] = {action.kind: _locator(action.spec)}
        if action.label and action.label != action.spec.human_text():
            step["label"] = action.label
        steps.append(step)
    target = _locator(entry_spec)
    # The session check opens the entry's page: the entry itself proves the login, unless it
    # hides behind an in-page menu there, in which case that menu's opener does.
    marker = entry_spec
    before = search.start_url
    for action in actions:
        if before == action.url_after == result.entry.page_url:
            marker = action.spec  # the first in-page action (menu opener) on the entry's page
            break
        before = action.url_after
    document: dict[str, Any] = {
        "schema_version": 1,
        "id": profile_id,
        "name": name or base.hostname or profile_id,
        "base_url": f"{base.scheme}://{base.netloc}/",
        "login": {
            "url": "/login",
            "check_url": _path(result.entry.page_url),
            "logged_out": [{"url_contains": "login"}],
            "logged_in": [{"present": _locator(marker)}],  # a fresh dict: no YAML aliases
        },
        "routes": [
            {
                "name": " › ".join(result.breadcrumb()),
                "start": _path(search.start_url),
                "steps": steps,
                "target": [target],
            }
        ],
        "meta": {"last_verified": date.today(), "notes": "learned by discovery"},
    }
    if result.auto_renew != "unknown" and search.renew_evidence:
        document["auto_renew"] = {result.auto_renew: [{"text": search.renew_evidence}]}
    header = HEADER.format(
        today=date.today().isoformat(),
        start=search.start_url,
        bundle=result.bundle,
        crumbs=" › ".join(result.breadcrumb()),
        profile_id=profile_id,
        friction=f"{result.friction.grade} ({result.friction.reason})" if result.friction else "-",
    )
    text = header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    parse_profile(text.encode(), f"{profile_id}.yaml", expected_id=profile_id)  # never write junk
    return text
