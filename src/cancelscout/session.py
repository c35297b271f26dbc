"""Saved browser sessions (Playwright storage state): private files, checked before use."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from cancelscout import paths
from cancelscout.errors import SessionError


def saved_session_path(platform: str) -> Path:
    return paths.sessions_dir() / f"{platform}.json"


def write_session(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` readable by the owner only (0600), replacing any older file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def check_private(path: Path, what: str) -> None:
    """Refuse a login file (a session, a cookies.txt) that is missing or that other users can
    read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SessionError(f"{what} {path} does not exist.") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SessionError(
            f"{what} {path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"it holds your login. Run 'chmod 600 {path}' and try again."
        )


def read_session(path: Path) -> dict[str, Any]:
    """Load a storage-state file, refusing one that other users can read."""
    check_private(path, "session file")
    try:
        state: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SessionError(
            f"session file {path} is not a Playwright storage-state JSON file ({exc})."
        ) from None
    if not isinstance(state, dict) or not isinstance(state.get("cookies", []), list):
        raise SessionError(
            f"session file {path} is not a Playwright storage-state file (no 'cookies' list)."
        )
    return state
