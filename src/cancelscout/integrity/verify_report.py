"""What ``verify`` found about a bundle: the report, and the one rule for names inside it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

VerifyStatus = Literal["intact", "tampered", "incomplete", "not_a_bundle"]


@dataclass
class VerifyReport:
    bundle: str
    status: VerifyStatus = "intact"
    run_id: str | None = None
    records: int = 0
    modified: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    broken_link: int | None = None
    truncated: bool = False
    field_mismatch: bool = False
    chain_head_mismatch: bool = False
    artifact_errors: list[dict[str, Any]] = field(default_factory=list)
    signature: dict[str, Any] | None = None
    timestamp: dict[str, Any] | None = None
    messages: list[str] = field(default_factory=list)
    # Problems that make the bundle tampered; ``messages`` also holds neutral notes.
    problems: int = 0

    def problem(self, message: str) -> None:
        self.problems += 1
        self.messages.append(message)

    def note(self, message: str) -> None:
        self.messages.append(message)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def safe_name(name: object) -> str | None:
    """A bundle-relative POSIX path, or None for anything that could point outside."""
    if not isinstance(name, str) or not name or "\\" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return path.as_posix()
