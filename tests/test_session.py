from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from cancelscout.errors import SessionError
from cancelscout.session import read_session, saved_session_path, write_session


def test_session_written_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    write_session(path, {"cookies": [], "origins": []})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_session(path) == {"cookies": [], "origins": []}


def test_session_saved_folder_is_private() -> None:
    folder = saved_session_path("demo").parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_session_refuses_world_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"cookies": []}))
    path.chmod(0o644)
    with pytest.raises(SessionError) as caught:
        read_session(path)
    assert caught.value.message == (
        f"session file {path} can be read by other users (mode 644); it holds your login. "
        f"Run 'chmod 600 {path}' and try again."
    )


def test_session_refuses_non_storage_state(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("[1, 2]")
    path.chmod(0o600)
    with pytest.raises(SessionError) as caught:
        read_session(path)
    assert "is not a Playwright storage-state file" in caught.value.message
