"""Sign a WACZ's ``datapackage-digest.json`` and check it again.

The WACZ Signing and Verification spec (webrecorder, 0.1.0) signs the ``hash`` of
``datapackage.json``; its anonymous profile puts the signature and an **ECDSA** public key in
``signedData``, and ReplayWeb.page checks exactly that: ECDSA P-384 over the UTF-8 of the
``hash`` string with SHA-256, the signature as raw ``r‖s``, the key as base64 SPKI. The user's
key is Ed25519 (``cancelscout keygen``), which no WACZ reader understands, so a WACZ carries two
seals made from that one key:

* ``signedData`` per the spec, by an ECDSA P-384 key *derived* from the Ed25519 key (HKDF-SHA384
  over its 32-byte seed): the same public key on every export by the same user, so readers that
  only know the spec (ReplayWeb.page) show a valid signature and a stable key;
* ``cancelscout`` in ``datapackage-digest.json``: the Ed25519 signature over the exact bytes of
  ``datapackage.json``, the public key and its fingerprint (as ``cancelscout keygen`` prints
  it). ``datapackage.json`` names the derived ECDSA key, so this one signature binds the archive,
  its hashes and the ECDSA key to the fingerprint the user hands out.

Without a key there is no ``signedData``: a signature by a throwaway key would look like proof
and prove nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cancelscout.errors import UsageError
from cancelscout.integrity.signing import fingerprint, public_pem

DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
_P384_ORDER = int(
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    16,
)
_SIZE = 48  # bytes of r and of s on P-384


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def wacz_hash(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def derived_ecdsa_key(key: Ed25519PrivateKey) -> ec.EllipticCurvePrivateKey:
    """The ECDSA P-384 key of Ed25519 key ``key``: the same on every call, useless without it."""
    seed = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    material = HKDF(
        algorithm=hashes.SHA384(),
        length=64,
        salt=b"cancelscout",
        info=b"wacz-auth 0.1.0 anonymous signature, ECDSA P-384",
    ).derive(seed)
    scalar = int.from_bytes(material, "big") % (_P384_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP384R1())


def ecdsa_public_b64(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _b64(der)


def signing_fields(key: Ed25519PrivateKey | None) -> dict[str, Any]:
    """What ``datapackage.json`` says about its seals (``cancelscout.signing``)."""
    if key is None:
        return {"signed": False}
    return {
        "signed": True,
        "ed25519_fingerprint": fingerprint(key.public_key()),
        "ecdsa_p384_public_key": ecdsa_public_b64(derived_ecdsa_key(key).public_key()),
    }


def digest_document(
    datapackage: bytes, *, created: str, software: str, key: Ed25519PrivateKey | None
) -> bytes:
    """The bytes of ``datapackage-digest.json`` for ``datapackage`` (signed with ``key``)."""
    digest = wacz_hash(datapackage)
    document: dict[str, Any] = {"path": DATAPACKAGE, "hash": digest}
    if key is not None:
        ecdsa = derived_ecdsa_key(key)
        r, s = decode_dss_signature(ecdsa.sign(digest.encode(), ec.ECDSA(hashes.SHA256())))
        document["signedData"] = {
            "hash": digest,
            "created": created,
            "software": software,
            "signature": _b64(r.to_bytes(_SIZE, "big") + s.to_bytes(_SIZE, "big")),
            "publicKey": ecdsa_public_b64(ecdsa.public_key()),
        }
        document["cancelscout"] = {
            "algorithm": "ed25519",
            "fingerprint": fingerprint(key.public_key()),
            "publicKey": public_pem(key.public_key()).decode("ascii"),
            "signature": _b64(key.sign(datapackage)),
            "signs": DATAPACKAGE,
        }
    return (json.dumps(document, indent=2) + "\n").encode()


@dataclass
class SealCheck:
    """What a reader can establish from a WACZ's own bytes (``check_wacz``)."""

    problems: list[str] = field(default_factory=list)
    signed: bool = False
    fingerprint: str | None = None
    matches_key: bool | None = None  # None: no key to compare with was given

    @property
    def valid(self) -> bool:
        return not self.problems


def _ecdsa_ok(signed: dict[str, Any]) -> bool:
    try:
        key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"]))
        raw = base64.b64decode(signed["signature"])
        if not isinstance(key, ec.EllipticCurvePublicKey) or len(raw) != 2 * _SIZE:
            return False
        der = encode_dss_signature(
            int.from_bytes(raw[:_SIZE], "big"), int.from_bytes(raw[_SIZE:], "big")
        )
        key.verify(der, str(signed["hash"]).encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return True


def check_seal(members: dict[str, bytes], expected: Ed25519PublicKey | None = None) -> SealCheck:
    """Check a WACZ given its members by name: every resource's hash and size against
    ``datapackage.json``, its hash against the digest, both signatures, and the signer."""
    check = SealCheck()
    try:
        package = json.loads(members[DATAPACKAGE])
        digest = json.loads(members[DIGEST])
    except (KeyError, ValueError):
        check.problems.append(f"{DATAPACKAGE} or {DIGEST} is missing or not JSON")
        return check
    listed = {str(r.get("path")): r for r in package.get("resources", [])}
    for name, data in members.items():
        if name in (DATAPACKAGE, DIGEST):
            continue
        entry = listed.pop(name, None)
        if entry is None:
            check.problems.append(f"{name}: not listed in {DATAPACKAGE}")
        elif entry.get("hash") != wacz_hash(data) or entry.get("bytes") != len(data):
            check.problems.append(f"{name}: differs from its hash in {DATAPACKAGE}")
    check.problems.extend(f"{name}: listed but missing" for name in listed)
    if digest.get("hash") != wacz_hash(members[DATAPACKAGE]):
        check.problems.append(f"{DATAPACKAGE}: differs from the hash in {DIGEST}")
    signed = digest.get("signedData")
    seal = digest.get("cancelscout")
    check.signed = signed is not None or seal is not None
    if not check.signed:
        return check
    if not isinstance(signed, dict) or not _ecdsa_ok(signed):
        check.problems.append("signedData: the ECDSA signature does not verify")
    elif signed.get("hash") != digest.get("hash") or signed.get("created") != package.get(
        "created"
    ):
        check.problems.append("signedData: its hash or creation time is not this package's")
    _check_ed25519(check, seal, package, members[DATAPACKAGE], expected)
    named = ((package.get("cancelscout") or {}).get("signing") or {}).get("ecdsa_p384_public_key")
    if isinstance(signed, dict) and named != signed.get("publicKey"):
        check.problems.append("signedData: its public key is not the one the package names")
    return check


def _check_ed25519(
    check: SealCheck,
    seal: Any,
    package: dict[str, Any],
    datapackage: bytes,
    expected: Ed25519PublicKey | None,
) -> None:
    try:
        public = serialization.load_pem_public_key(str(seal["publicKey"]).encode())
        signature = base64.b64decode(seal["signature"])
    except (KeyError, TypeError, ValueError):
        check.problems.append(f"{DIGEST}: no readable Ed25519 seal")
        return
    if not isinstance(public, Ed25519PublicKey):
        check.problems.append(f"{DIGEST}: the seal's key is not Ed25519")
        return
    check.fingerprint = fingerprint(public)
    try:
        public.verify(signature, datapackage)
    except InvalidSignature:
        check.problems.append(f"{DATAPACKAGE}: the Ed25519 signature does not verify")
    signing = (package.get("cancelscout") or {}).get("signing") or {}
    if signing.get("ed25519_fingerprint") != check.fingerprint:
        check.problems.append(f"{DATAPACKAGE}: names another signer than the seal's key")
    if expected is not None:
        check.matches_key = fingerprint(expected) == check.fingerprint
        if not check.matches_key:
            check.problems.append("the WACZ is not signed by the expected key")


def check_wacz(path: Path, expected: Ed25519PublicKey | None = None) -> SealCheck:
    """Check WACZ file ``path`` (``cancelscout verify OUT.wacz``): its seal (:func:`check_seal`)
    and its tie to the bundle it came from: the WARC and the bundle files it carries are those
    ``cancelscout/manifest.json`` lists, and ``manifest.sig`` signs that manifest."""
    members: dict[str, bytes] = {}
    damaged: list[str] = []
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                try:
                    members[name] = archive.read(name)
                except zipfile.BadZipFile:  # a changed byte in a stored member: its CRC fails
                    damaged.append(f"{name}: damaged (its ZIP checksum fails)")
    except (OSError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{path} is not a WACZ file ({exc}).") from None
    check = check_seal({n: d for n, d in members.items() if not n.endswith("/")}, expected)
    check.problems[:0] = damaged
    _check_bundle(check, members)
    return check


def _check_bundle(check: SealCheck, members: dict[str, bytes]) -> None:
    manifest_bytes = members.get("cancelscout/manifest.json")
    if manifest_bytes is None:
        return
    try:
        listed = {f["path"]: f["sha256"] for f in json.loads(manifest_bytes)["files"]}
    except (ValueError, KeyError, TypeError):
        check.problems.append("cancelscout/manifest.json: not a bundle manifest")
        return
    for name, data in members.items():
        folder, _, own = name.partition("/")
        carried = (folder, own) == ("archive", "network.warc.gz") or (
            folder == "cancelscout" and own in listed
        )
        if carried and hashlib.sha256(data).hexdigest() != listed.get(own):
            check.problems.append(f"{name}: not the bundle's (differs from its manifest)")
    signature, signer = (
        members.get("cancelscout/manifest.sig"),
        members.get("cancelscout/signer.pub.pem"),
    )
    if signature is not None and signer is not None:
        try:
            key = serialization.load_pem_public_key(signer)
            if not isinstance(key, Ed25519PublicKey):
                raise InvalidSignature
            key.verify(signature, manifest_bytes)
        except (InvalidSignature, ValueError):
            check.problems.append("cancelscout/manifest.sig: does not sign the manifest")
