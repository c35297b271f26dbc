"""The seals over a bundle's manifest: the Ed25519 signature and the RFC 3161 timestamp.

Without a signature, manifest.json can be rewritten consistently by anyone; these checks are
what rules that out (signature) and what dates it (timestamp).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cancelscout.errors import UsageError
from cancelscout.integrity.bundle import MANIFEST
from cancelscout.integrity.signing import (
    ALGORITHM,
    SIGNATURE,
    fingerprint,
    load_public_key,
    verify_signature,
)
from cancelscout.integrity.verify_report import VerifyReport, safe_name

TIMESTAMP = "timestamp.tsr"


def _timestamp_result(
    root: Path, manifest_bytes: bytes, tsa_cert: bytes | None, tsa_policy: str | None
) -> dict[str, Any] | None:
    """Check the RFC 3161 token in ``timestamp.tsr`` against the manifest's bytes.

    ``valid: False`` makes the bundle tampered. ``trusted`` is True only when rfc3161-client
    verified the token against ``tsa_cert`` (its TSA chains to one of those roots, valid at
    genTime, and names ``tsa_policy`` if given); without ``tsa_cert`` the TSA is only named.
    """
    # Imported here: the RFC 3161 verifier (rfc3161-client, pyHanko) is for bundles that carry
    # a token; the report imports this module for every run.
    from cancelscout.integrity.timestamp import verify_timestamp

    check = verify_timestamp(
        (root / TIMESTAMP).read_bytes(),
        manifest_bytes,
        trusted_cert_pem=tsa_cert,
        policy=tsa_policy,
    )
    return {
        "valid": check.valid,
        "gen_time": check.gen_time,
        "tsa": check.tsa,
        "serial": check.serial,
        "error": check.reason,
        "trusted": check.trusted,
    }


def check_signature(
    report: VerifyReport,
    root: Path,
    manifest: dict[str, Any],
    manifest_bytes: bytes,
    expected_key: Ed25519PublicKey | None,
) -> None:
    """The Ed25519 signature over manifest.json, and its signer against ``expected_key``."""
    signer = manifest.get("signer")
    sig_path = root / SIGNATURE
    if signer is None:
        if expected_key is not None:
            report.problem(
                f"{MANIFEST} declares no signer, but --key expects a signature by "
                f"{fingerprint(expected_key)}: the bundle is unsigned or was stripped."
            )
        if sig_path.exists():
            report.note(f"{SIGNATURE} is present but {MANIFEST} declares no signer.")
        return
    if not isinstance(signer, dict) or signer.get("algorithm") != ALGORITHM:
        report.problem(f"{MANIFEST}: 'signer' is malformed or not {ALGORITHM}.")
        return
    key_name = safe_name(signer.get("public_key"))
    declared = str(signer.get("fingerprint"))
    result: dict[str, Any] = {"valid": False, "fingerprint": declared, "matches_key": None}
    report.signature = result
    if expected_key is not None:
        result["matches_key"] = False
    try:
        if key_name is None:
            raise UsageError("unsafe name")
        public = load_public_key(root / key_name)
    except UsageError:
        report.problem(
            f"{signer.get('public_key')!r}, the signer's public key named in {MANIFEST}, "
            "is missing or unreadable."
        )
        return
    actual_fp = fingerprint(public)
    result["fingerprint"] = actual_fp
    if actual_fp != declared:
        report.problem(
            f"{key_name} has fingerprint {actual_fp}, but {MANIFEST} declares {declared}."
        )
    if expected_key is not None:
        result["matches_key"] = fingerprint(expected_key) == actual_fp
        if not result["matches_key"]:
            report.problem(
                f"{SIGNATURE}: the bundle is signed by {actual_fp}, not by the --key "
                f"{fingerprint(expected_key)}."
            )
    if not sig_path.is_file():
        report.problem(
            f"{SIGNATURE} is missing, but {MANIFEST} declares signer {declared}: the "
            "signature was removed."
        )
        return
    result["valid"] = verify_signature(public, manifest_bytes, sig_path.read_bytes())
    if not result["valid"]:
        report.problem(
            f"{SIGNATURE}: the signature by {actual_fp} does not match {MANIFEST}'s bytes: "
            "the manifest was changed after signing."
        )


def check_timestamp(
    report: VerifyReport,
    root: Path,
    manifest_bytes: bytes,
    tsa_cert: bytes | None,
    tsa_policy: str | None = None,
) -> None:
    """The RFC 3161 token in timestamp.tsr, if there is one, against manifest.json."""
    if not (root / TIMESTAMP).is_file():
        return
    result = _timestamp_result(root, manifest_bytes, tsa_cert, tsa_policy)
    report.timestamp = result
    if result is None:
        report.note(f"{TIMESTAMP} is present but was not checked.")
    elif result.get("valid") is False:
        report.problem(
            f"{TIMESTAMP}: the timestamp token does not cover {MANIFEST}"
            + (f" ({result['error']})." if result.get("error") else ".")
        )
