"""What a run is asked to do: the options of a locate, discovery or capture run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cancelscout.profiles.evidence import EVIDENCE_KINDS


@dataclass
class RunOptions:
    """What every recorded run needs: where the bundle goes, the session, how it is sealed."""

    out_dir: Path
    session_file: Path | None = None
    cookies_file: Path | None = None  # Netscape cookies.txt, read into memory at the start
    cookies_from_browser: str | None = None  # BROWSER[:PROFILE], read likewise
    user_data_dir: Path | None = None
    timeout_s: float = 15.0
    lang: str = "zh"
    profile_path: Path | None = None
    on_step: Callable[[dict[str, Any]], None] | None = None
    redact: bool = True  # mask phone, ID, bank card and e-mail values in every artifact
    trace: bool = True  # keep a (sanitised) Playwright trace in the bundle
    sign_key: Path | None = None
    tsa_url: str | None = None  # RFC 3161 timestamp authority for the manifest
    base_url: str | None = None  # the platform at a mirror address


@dataclass
class LocateOptions(RunOptions):
    # Discovery budgets (a site nobody profiled).
    max_pages: int = 30
    max_actions: int = 80
    time_budget_s: float = 180.0


@dataclass
class CaptureOptions(RunOptions):
    what: tuple[str, ...] = EVIDENCE_KINDS
    urls: tuple[str, ...] = ()
    with_profile: bool = True  # False: ``--url`` alone, the platform is the URL's host


def login_command(profile_id: str, base_url: str | None) -> str:
    """The command that gets a fresh session for the platform, as shown to the user."""
    command = f"cancelscout login {profile_id}"
    return f"{command} --base-url {base_url}" if base_url else command
