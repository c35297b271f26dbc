"""Where cancelscout keeps things on the user's machine.

Everything private (saved sessions, signing keys) lives under one folder created 0700:
``CANCELSCOUT_HOME`` if set, else the platform's user data folder (platformdirs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "cancelscout"
REPO_ROOT = Path(__file__).resolve().parents[2]


def home() -> Path:
    override = os.environ.get("CANCELSCOUT_HOME")
    return Path(override) if override else platformdirs.user_data_path(APP)


def private_dir(*parts: str) -> Path:
    """A folder under :func:`home`, created with mode 0700 (and tightened if it exists)."""
    path = home().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in (home(), path):
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    return path


def sessions_dir() -> Path:
    return private_dir("sessions")


def user_profiles_dir() -> Path:
    return home() / "site_profiles"


def bundled_profiles_dir() -> Path | None:
    """The bundled ``site_profiles/``: the source checkout's when running from one, else the
    copy an installed wheel put under ``<prefix>/share/cancelscout/site_profiles``."""
    for candidate in (
        REPO_ROOT / "site_profiles",
        Path(sys.prefix) / "share" / APP / "site_profiles",
    ):
        if candidate.is_dir():
            return candidate
    return None


def default_output_dir() -> Path:
    override = os.environ.get("CANCELSCOUT_OUT")
    return Path(override) if override else Path.cwd() / "recordings"
