"""An evidence bundle on disk: one folder per run, every file hashed.

Layout (see recordings/README.md)::

    recordings/<platform>/<UTC time>-<short id>/
        steps.jsonl           one record per step, appended and fsynced as it happens
        screenshots/NNN-*.png raw screenshots (NNN = step index; a step whose screenshot
                              is byte-identical to an earlier one names that file, and a
                              step with "unchanged_since" names that step's files)
        dom/NNN-*.html        DOM snapshots (likewise)
        trace.zip             sanitised Playwright trace
        run.log               this run's log events
        report.html           the report (images: the files above, linked)
        manifest.json         every other file with size and SHA-256, written last

Artifacts are written (and fsynced) before the step record that names them, so a crash never
leaves a record pointing at a missing file. Each record carries the SHA-256 of the previous
record line, starting from a genesis value derived from the run id: a removed, reordered or
edited step breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cancelscout.errors import UsageError
from cancelscout.integrity.scrub import Secrets

BUNDLE_FORMAT = "cancelscout-bundle/1"
MANIFEST = "manifest.json"
STEPS = "steps.jsonl"
# Written after manifest.json, so they cannot be listed in it: the detached signature and the
# RFC 3161 timestamp token, both over the manifest's bytes.
POST_MANIFEST = frozenset({"manifest.sig", "timestamp.tsr"})
DEDUPLICATED = frozenset({"screenshots", "dom"})  # per-step evidence folders
_SLUG = re.compile(r"[^a-z0-9]+")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_ms(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def canonical_json(value: Any) -> bytes:
    """The one byte form used for hashing JSON values (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def genesis_hash(run_id: str) -> str:
    return sha256_bytes(f"cancelscout-genesis:{run_id}".encode())


def slugify(text: str, limit: int = 40) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-")


@dataclass(frozen=True)
class Artifact:
    name: str
    sha256: str
    size: int

    def as_record(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256}


def _write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class EvidenceBundle:
    def __init__(self, root: Path, *, platform: str, run_id: str, started: datetime) -> None:
        self.root = root
        self.platform = platform
        self.run_id = run_id
        self.started = started
        self.chain_head = genesis_hash(run_id)
        self.records: list[dict[str, Any]] = []
        self._by_hash: dict[tuple[str, str], Artifact] = {}  # (suffix, sha256): first written
        self._steps = (root / STEPS).open("ab")
        self.secrets = Secrets()  # session values no file of the bundle may hold

    @classmethod
    def create(cls, out_dir: Path, platform: str) -> EvidenceBundle:
        started = utc_now()
        run_id = secrets.token_hex(4)
        root = out_dir / platform / f"{started:%Y%m%dT%H%M%SZ}-{run_id}"
        try:
            (root / "screenshots").mkdir(parents=True, exist_ok=False)
            (root / "dom").mkdir()
        except OSError as exc:
            raise UsageError(
                f"cannot create the evidence folder {root}: {exc.strerror}. "
                "Choose another folder with --out."
            ) from None
        return cls(root, platform=platform, run_id=run_id, started=started)

    @property
    def next_index(self) -> int:
        return len(self.records) + 1

    def artifact_name(self, folder: str, index: int, slug: str, suffix: str) -> str:
        name = f"{folder}/{index:03d}-{slugify(slug) or 'step'}{suffix}"
        taken = {p.relative_to(self.root).as_posix() for p in (self.root / folder).glob("*")}
        counter = 2
        base = name
        while name in taken:
            name = base.replace(suffix, f"-{counter}{suffix}")
            counter += 1
        return name

    def write(self, name: str, data: bytes) -> Artifact:
        """Write an artifact; a step's screenshot or DOM that is byte-identical to an earlier
        one is not written twice: its record names the earlier file (same bytes, same hash).
        Known secrets are scrubbed from text before it is hashed."""
        data = self.secrets.data(name, data)
        digest = sha256_bytes(data)
        key = (name.rsplit(".", 1)[-1], digest)
        shared = name.split("/", 1)[0] in DEDUPLICATED
        if shared and key in self._by_hash:
            return self._by_hash[key]
        _write_durably(self.root / name, data)
        artifact = Artifact(name, digest, len(data))
        if shared:
            self._by_hash[key] = artifact
        return artifact

    def append_step(self, record: dict[str, Any]) -> dict[str, Any]:
        """Append ``record`` (index, time and chain link added) and fsync it."""
        full = {
            "index": self.next_index,
            "time": iso_ms(utc_now()),
            **self.secrets.value(record),
            "prev": self.chain_head,
        }
        line = json.dumps(full, ensure_ascii=False, sort_keys=True).encode()
        self._steps.write(line + b"\n")
        self._steps.flush()
        os.fsync(self._steps.fileno())
        self.chain_head = sha256_bytes(line)
        self.records.append(full)
        return full

    def close_steps(self) -> None:
        if not self._steps.closed:
            self._steps.close()

    def write_manifest(self, fields: dict[str, Any]) -> Path:
        """Close the chain over ``fields``, then hash every file into manifest.json.

        The last step record (``action: close``) carries the SHA-256 of the manifest's own
        fields (everything but ``chain`` and ``files``), so editing a time, the status or a
        version in the manifest breaks the chain. Files written after the manifest
        (signature, timestamp token) are listed in ``POST_MANIFEST`` and not hashed here.
        """
        own = {
            "format": BUNDLE_FORMAT,
            "run_id": self.run_id,
            "platform": self.platform,
            **self.secrets.value(fields),
        }
        self.append_step(
            {
                "action": "close",
                "label": "bundle closed",
                "outcome": fields.get("status"),
                "artifacts": [],
                "manifest_fields_sha256": sha256_bytes(canonical_json(own)),
            }
        )
        self.close_steps()
        files = []
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            name = path.relative_to(self.root).as_posix()
            if name == MANIFEST or name in POST_MANIFEST:
                continue
            files.append({"path": name, "size": path.stat().st_size, "sha256": sha256_file(path)})
        manifest = {
            **own,
            "chain": {
                "genesis": genesis_hash(self.run_id),
                "head": self.chain_head,
                "records": len(self.records),
            },
            "files": files,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        _write_durably(self.root / MANIFEST, data + b"\n")
        return self.root / MANIFEST
