"""Check an evidence bundle: file hashes, the step chain, the close record and the signature.

Statuses:

``intact``
    manifest.json present and every check passes.
``tampered``
    anything does not match: a file modified, missing or added, a broken or truncated chain,
    a chain head or manifest field that differs from the close record, an artifact whose hash
    differs from its step record, a bad signature, a signature by a key other than the expected
    one, or a declared signer without ``manifest.sig``.
``incomplete``
    no manifest.json (the run was killed), but every complete step record chains from the
    genesis of the run id in the folder name and every artifact it names checks out. A torn
    last line is what kill -9 leaves behind, so it is reported, not held against the bundle.
``not_a_bundle``
    not a folder, or neither steps.jsonl nor manifest.json.

Without a signature, manifest.json can be rewritten consistently by anyone (the "re-hashed"
attack); only the Ed25519 signature, checked against a key the verifier trusts, rules that out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cancelscout.errors import UsageError
from cancelscout.integrity.bundle import (
    BUNDLE_FORMAT,
    MANIFEST,
    POST_MANIFEST,
    STEPS,
    canonical_json,
    genesis_hash,
    sha256_bytes,
    sha256_file,
)
from cancelscout.integrity.signing import load_public_key
from cancelscout.integrity.verify_report import VerifyReport, VerifyStatus, safe_name
from cancelscout.integrity.verify_seals import TIMESTAMP, check_signature, check_timestamp

__all__ = ["TIMESTAMP", "VerifyReport", "VerifyStatus", "verify_bundle"]

# The folder name carries the run id: ``<UTC %Y%m%dT%H%M%SZ>-<run id>``.
_FOLDER = re.compile(r"^\d{8}T\d{6}Z-(?P<run_id>[0-9a-f]+)$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class _Checker:
    def __init__(self, root: Path, key: Path | None, tsa_cert: Path | None = None) -> None:
        self.root = root
        self.tsa_cert = _read_cert(tsa_cert) if tsa_cert else None
        self.expected_key: Ed25519PublicKey | None = load_public_key(key) if key else None
        self.report = VerifyReport(bundle=str(root))
        self._hashes: dict[str, str | None] = {}

    def file_hash(self, name: str) -> str | None:
        """SHA-256 of a bundle file (cached: screenshots are read once), None if absent."""
        if name not in self._hashes:
            path = self.root / name
            if path.is_symlink():
                # The writer never makes links; following one could read outside the bundle.
                self._hashes[name] = "symlink"
            else:
                self._hashes[name] = sha256_file(path) if path.is_file() else None
        return self._hashes[name]

    # -- steps.jsonl -----------------------------------------------------------------------
    def check_steps(self, run_id: str, *, complete: bool) -> tuple[list[dict[str, Any]], str]:
        """Check the chain and each record's artifacts; return the records and the head."""
        report = self.report
        head = genesis_hash(run_id)
        path = self.root / STEPS
        if not path.is_file():
            return [], head
        data = path.read_bytes()
        lines = data.split(b"\n")
        tail = lines.pop()  # b"" when the file ends with a newline, as the writer leaves it
        if tail:
            try:
                json.loads(tail)
                lines.append(tail)  # complete record, only its newline lost
            except ValueError:
                report.truncated = True
                (report.note if not complete else report.problem)(
                    f"{STEPS}: the last line (after record {len(lines)}) is torn: "
                    f"{len(tail)} bytes of an unfinished record"
                    + (" (expected after a killed run)." if not complete else ".")
                )
        records: list[dict[str, Any]] = []
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                self._broken(number, f"{STEPS}: line {number} is not a JSON record.")
                head = sha256_bytes(line)
                records.append({})
                continue
            if record.get("prev") != head and report.broken_link is None:
                before = "the genesis of run " + run_id if number == 1 else f"line {number - 1}"
                self._broken(
                    number,
                    f"{STEPS}: record {number} (index {record.get('index')!r}) does not chain to "
                    f"{before}: a record before it was edited, or records were removed, "
                    "inserted or reordered.",
                )
            elif record.get("index") != number and report.broken_link is None:
                self._broken(
                    number,
                    f"{STEPS}: line {number} carries index {record.get('index')!r}, "
                    f"expected {number}: records were renumbered.",
                )
            head = sha256_bytes(line)
            records.append(record)
            # Name the record by its own index: after a deletion the line number differs.
            index = record.get("index")
            self.check_artifacts(index if isinstance(index, int) else number, record)
        report.records = len(lines)
        return records, head

    def _broken(self, number: int, message: str) -> None:
        if self.report.broken_link is None:
            self.report.broken_link = number
        self.report.problem(message)

    def check_artifacts(self, number: int, record: dict[str, Any]) -> None:
        artifacts = record.get("artifacts", [])
        if not isinstance(artifacts, list):
            self.report.problem(f"{STEPS}: record {number} has a malformed 'artifacts' list.")
            return
        for item in artifacts:
            raw = item.get("name") if isinstance(item, dict) else None
            name = safe_name(raw)
            expected = item.get("sha256") if isinstance(item, dict) else None
            if name is None:
                self.report.artifact_errors.append(
                    {"index": number, "name": str(raw), "problem": "unsafe name"}
                )
                self.report.problem(
                    f"{STEPS}: record {number} names an artifact outside the bundle: {raw!r}."
                )
                continue
            actual = self.file_hash(name)
            if actual is None:
                problem = "missing"
                text = f"{name} (artifact of record {number}) is missing."
            elif actual != expected:
                problem = "modified"
                text = (
                    f"{name} (artifact of record {number}) does not match the SHA-256 in its "
                    "step record: the file was changed or swapped."
                )
            else:
                continue
            self.report.artifact_errors.append({"index": number, "name": name, "problem": problem})
            self.report.problem(text)

    # -- manifest.json ---------------------------------------------------------------------
    def check_files(self, manifest: dict[str, Any]) -> set[str]:
        report = self.report
        listed: set[str] = set()
        files = manifest.get("files")
        if not isinstance(files, list):
            report.problem(f"{MANIFEST}: 'files' is missing or not a list.")
            files = []
        for entry in files:
            name = safe_name(entry.get("path")) if isinstance(entry, dict) else None
            if name is None or not isinstance(entry, dict):
                report.problem(f"{MANIFEST}: a 'files' entry is malformed or unsafe: {entry!r}.")
                continue
            listed.add(name)
            actual = self.file_hash(name)
            if actual is None:
                report.missing.append(name)
                report.problem(f"{name} is listed in {MANIFEST} but missing.")
            elif actual != entry.get("sha256") or (self.root / name).stat().st_size != entry.get(
                "size"
            ):
                report.modified.append(name)
                report.problem(f"{name} was modified: its SHA-256 differs from {MANIFEST}.")
        allowed = listed | {MANIFEST} | POST_MANIFEST
        for path in sorted(p for p in self.root.rglob("*") if p.is_file() or p.is_symlink()):
            name = path.relative_to(self.root).as_posix()
            if name not in allowed:
                report.unexpected.append(name)
                report.problem(f"{name} is not listed in {MANIFEST}: it was added afterwards.")
        return listed

    def check_close(
        self, manifest: dict[str, Any], records: list[dict[str, Any]], head: str, run_id: str
    ) -> None:
        report = self.report
        chain = manifest.get("chain")
        if not isinstance(chain, dict):
            report.problem(f"{MANIFEST}: 'chain' is missing or malformed.")
            chain = {}
        if chain.get("genesis") != genesis_hash(run_id):
            report.chain_head_mismatch = True
            report.problem(f"{MANIFEST}: chain.genesis is not the genesis of run {run_id}.")
        expected_records = chain.get("records")
        if isinstance(expected_records, int) and report.records < expected_records:
            report.truncated = True
            report.problem(
                f"{STEPS} has {report.records} records, {MANIFEST} says {expected_records}: "
                "the log was truncated."
            )
        elif expected_records != report.records:
            report.problem(
                f"{STEPS} has {report.records} records, {MANIFEST} says {expected_records!r}."
            )
        if chain.get("head") != head:
            report.chain_head_mismatch = True
            report.problem(
                f"{STEPS}: the hash of its last record ({report.records}) is not "
                f"{MANIFEST}'s chain.head: the last record was edited, or records were "
                "removed or added."
            )
        own = {k: v for k, v in manifest.items() if k not in ("chain", "files")}
        last = records[-1] if records else {}
        if last.get("action") != "close":
            report.field_mismatch = True
            report.problem(
                f"{STEPS}: the last record ({report.records}) is not the close record, so "
                f"nothing binds {MANIFEST}'s fields."
            )
        elif last.get("manifest_fields_sha256") != sha256_bytes(canonical_json(own)):
            report.field_mismatch = True
            report.problem(
                f"{MANIFEST}: its fields (status, times, versions, result …) do not match the "
                f"hash in the close record {report.records} of {STEPS}: the manifest was edited."
            )


def _run_id_from_folder(root: Path) -> str | None:
    match = _FOLDER.match(root.name)
    return match.group("run_id") if match else None


def _load_manifest(data: bytes) -> dict[str, Any] | None:
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        return None
    return manifest


def _read_cert(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the TSA certificate {path} ({exc.strerror}).") from None


def _check_policy_option(tsa_policy: str | None, tsa_cert: Path | None) -> None:
    if tsa_policy is None:
        return
    if tsa_cert is None:
        raise UsageError(
            "--tsa-policy needs --tsa-cert: a policy is worth checking only on a timestamp "
            "whose TSA is trusted."
        )
    if not re.fullmatch(r"[0-2](\.(0|[1-9][0-9]*))+", tsa_policy):
        raise UsageError(f"--tsa-policy {tsa_policy!r} is not a dotted OID (like 1.2.3.4).")


def verify_bundle(
    root: Path,
    *,
    key: Path | None = None,
    tsa_cert: Path | None = None,
    tsa_policy: str | None = None,
) -> VerifyReport:
    """Check the bundle at ``root``; ``key`` is the public key its signature must be by,
    ``tsa_cert`` the root certificate(s) its timestamp's TSA must chain to, ``tsa_policy`` the
    TSA policy (a dotted OID) its timestamp must name.

    Raises UsageError only for an unreadable ``key`` or ``tsa_cert``, or a ``tsa_policy`` that
    is not an OID or comes without ``tsa_cert``; every finding about the bundle is in the
    returned report.
    """
    _check_policy_option(tsa_policy, tsa_cert)
    checker = _Checker(root, key, tsa_cert)
    report = checker.report
    if not root.is_dir():
        report.status = "not_a_bundle"
        report.note(f"{root} is not a folder.")
        return report
    has_steps = (root / STEPS).is_file()
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        if not has_steps:
            report.status = "not_a_bundle"
            report.note(f"{root} has neither {STEPS} nor {MANIFEST}: it is not a bundle.")
            return report
        return _verify_incomplete(checker)
    manifest_bytes = manifest_path.read_bytes()
    manifest = _load_manifest(manifest_bytes)
    if manifest is None:
        if not has_steps:
            report.status = "not_a_bundle"
            report.note(f"{MANIFEST} in {root} is not a {BUNDLE_FORMAT} manifest.")
            return report
        report.status = "tampered"
        report.problem(f"{MANIFEST} is not valid {BUNDLE_FORMAT} JSON: it was damaged or edited.")
        return report
    run_id = manifest.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        report.status = "tampered"
        report.problem(f"{MANIFEST}: 'run_id' is missing.")
        return report
    report.run_id = run_id
    checker.check_files(manifest)
    records, head = checker.check_steps(run_id, complete=True)
    checker.check_close(manifest, records, head, run_id)
    check_signature(report, root, manifest, manifest_bytes, checker.expected_key)
    check_timestamp(report, root, manifest_bytes, checker.tsa_cert, tsa_policy)
    report.status = "tampered" if report.problems else "intact"
    return report


def _verify_incomplete(checker: _Checker) -> VerifyReport:
    report = checker.report
    run_id = _run_id_from_folder(checker.root)
    if run_id is None:
        # Without the run id the first record cannot be anchored: nothing proves the log whole.
        report.status = "tampered"
        report.problem(
            f"{MANIFEST} is missing and the folder name {checker.root.name!r} does not end in "
            f"the run id, so the chain of {STEPS} cannot be checked from its genesis "
            "(rename it back to <UTC time>-<run id>)."
        )
        return report
    report.run_id = run_id
    checker.check_steps(run_id, complete=False)
    report.status = "tampered" if report.problems else "incomplete"
    report.note(
        f"{MANIFEST} is missing: the run did not finish (killed or crashed); "
        f"{report.records} complete records in {STEPS}."
    )
    return report
