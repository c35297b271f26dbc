"""Find profiles by id across folders, like scrapy's SpiderLoader finds spiders.

Folders are searched in priority order: ``--profiles`` folders, ``CANCELSCOUT_PROFILES``, the
user's folder, then the bundled ``site_profiles/``. Adding a site is dropping a file in one of
them. The same id in two folders: the first wins and a warning names both files.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import structlog

from cancelscout import paths
from cancelscout.errors import ProfileError, ProfileNotFoundError
from cancelscout.profiles.loader import load_profile, profile_id_for_file
from cancelscout.profiles.schema import PROFILE_ID_PATTERN, Profile

log = structlog.get_logger(__name__)
PROFILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ProfileEntry:
    id: str
    path: Path


@dataclass(frozen=True)
class ListedProfile:
    entry: ProfileEntry
    profile: Profile | None
    error: str | None


def default_folders(extra: Iterable[Path] = ()) -> list[Path]:
    folders = list(extra)
    env = os.environ.get("CANCELSCOUT_PROFILES")
    if env:
        folders.extend(Path(p) for p in env.split(os.pathsep) if p)
    folders.append(paths.user_profiles_dir())
    bundled = paths.bundled_profiles_dir()
    if bundled is not None:
        folders.append(bundled)
    return folders


class ProfileRegistry:
    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = [Path(f) for f in folders]
        self.warnings: list[str] = []
        self._entries: dict[str, ProfileEntry] = {}
        self._scan()

    @classmethod
    def default(cls, extra: Iterable[Path] = ()) -> ProfileRegistry:
        return cls(default_folders(extra))

    def _scan(self) -> None:
        for folder in self.folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.suffix not in PROFILE_SUFFIXES or path.name.startswith("_"):
                    continue
                profile_id = profile_id_for_file(path)
                if profile_id in self._entries:
                    kept = self._entries[profile_id].path
                    message = f"duplicate profile id '{profile_id}': using {kept}, ignoring {path}"
                    self.warnings.append(message)
                    log.warning(
                        "profile_duplicate_id", id=profile_id, kept=str(kept), ignored=str(path)
                    )
                    continue
                self._entries[profile_id] = ProfileEntry(profile_id, path)

    def ids(self) -> list[str]:
        return sorted(self._entries)

    def entry(self, profile_id: str) -> ProfileEntry:
        if not re.fullmatch(PROFILE_ID_PATTERN, profile_id):
            raise ProfileNotFoundError(
                f"'{profile_id}' is not a valid profile id: use lowercase letters, digits, "
                "'-' and '_' (for example 'demo-xingchen')."
            )
        found = self._entries.get(profile_id)
        if found is None:
            raise ProfileNotFoundError(self._not_found_message(profile_id))
        return found

    def get(self, profile_id: str) -> tuple[Profile, Path]:
        entry = self.entry(profile_id)
        return load_profile(entry.path), entry.path

    def list(self) -> list[ListedProfile]:
        listed = []
        for profile_id in self.ids():
            entry = self._entries[profile_id]
            try:
                listed.append(ListedProfile(entry, load_profile(entry.path), None))
            except ProfileError as exc:
                listed.append(ListedProfile(entry, None, exc.message))
        return listed

    def _not_found_message(self, profile_id: str) -> str:
        ids = self.ids()
        close = difflib.get_close_matches(profile_id, ids, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        searched = ", ".join(str(f) for f in self.folders) or "(none)"
        return (
            f"no site profile with id '{profile_id}'.{hint} "
            f"Run 'cancelscout profiles list' to see all {len(ids)} profiles; folders searched: "
            f"{searched}."
        )
