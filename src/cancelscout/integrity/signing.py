"""Ed25519 signatures over a bundle's manifest.json.

The signature (``manifest.sig``, raw 64 bytes) covers the exact bytes of manifest.json, which
holds the SHA-256 of every other file and the step-chain head, so one signature binds the whole
bundle. The signer's public key travels inside the bundle (``signer.pub.pem``, written before the
manifest so it is hashed in ``files``) and the manifest names its fingerprint; a verifier that
knows which key to expect passes it with ``cancelscout verify --key`` (or compares fingerprints).

Anyone can check a signature with OpenSSL alone::

    openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in manifest.json \
        -sigfile manifest.sig
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cancelscout.errors import UsageError
from cancelscout.integrity.bundle import MANIFEST

PRIVATE_KEY_NAME = "signing.key"
PUBLIC_KEY_NAME = "signing.pub.pem"
SIGNATURE = "manifest.sig"
SIGNER_KEY = "signer.pub.pem"
ALGORITHM = "ed25519"

PrivateKeyLike = Path | Ed25519PrivateKey


def _write_file(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` atomically with ``mode`` from the first byte (no window for other users)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, mode)  # the umask may have narrowed it; never widened beyond ``mode``
    os.replace(tmp, path)


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``SHA256:<hex>`` of the raw 32-byte key (what ``openssl pkey … | tail -c 32`` gives)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def generate_keypair(directory: Path, *, force: bool = False) -> tuple[Path, Path]:
    """Create ``signing.key`` (PKCS8 PEM, 0600) and ``signing.pub.pem`` in ``directory`` (0700).

    Refuses to replace an existing key unless ``force``: bundles signed with it would no longer
    match the key their owner hands out.
    """
    private_path = directory / PRIVATE_KEY_NAME
    public_path = directory / PUBLIC_KEY_NAME
    if private_path.exists() and not force:
        raise UsageError(
            f"a signing key already exists at {private_path}; bundles signed with it can only "
            "be matched to it while it exists. Pass --force to replace it."
        )
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and stat.S_IMODE(directory.stat().st_mode) != 0o700:
        directory.chmod(0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_file(private_path, pem, 0o600)
    _write_file(public_path, public_pem(key.public_key()), 0o644)
    return private_path, public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 PKCS8 PEM key, refusing one that group or others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UsageError(
            f"signing key {path} does not exist; create one with 'cancelscout keygen'."
        ) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageError(
            f"signing key {path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"anyone who reads it can sign bundles as you. Run 'chmod 600 {path}' and try again."
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(
            f"signing key {path} is not an unencrypted PEM private key ({exc})."
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(
            f"signing key {path} is not an Ed25519 key; create one with 'cancelscout keygen'."
        )
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 SubjectPublicKeyInfo PEM file (e.g. signing.pub.pem)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise UsageError(f"public key {path} does not exist.") from None
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"public key {path} is not a PEM public key ({exc}).") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"public key {path} is not an Ed25519 key.")
    return key


def _private(key: PrivateKeyLike) -> Ed25519PrivateKey:
    return key if isinstance(key, Ed25519PrivateKey) else load_private_key(key)


def signer_fields(private_key_path: PrivateKeyLike) -> dict[str, Any]:
    """The manifest's ``signer`` value: binds the bundled public key by fingerprint."""
    return {
        "algorithm": ALGORITHM,
        "fingerprint": fingerprint(_private(private_key_path).public_key()),
        "public_key": SIGNER_KEY,
    }


def write_signer_key(root: Path, private_key_path: PrivateKeyLike) -> Path:
    """Write ``signer.pub.pem`` into the bundle; call before the manifest so it is hashed."""
    path = root / SIGNER_KEY
    _write_file(path, public_pem(_private(private_key_path).public_key()), 0o644)
    return path


def sign_bundle(root: Path, private_key_path: PrivateKeyLike) -> Path:
    """Write ``manifest.sig``: the raw Ed25519 signature over manifest.json's exact bytes."""
    manifest = root / MANIFEST
    try:
        data = manifest.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"{manifest} does not exist: only a finished bundle can be signed."
        ) from None
    path = root / SIGNATURE
    _write_file(path, _private(private_key_path).sign(data), 0o644)
    return path


def verify_signature(public_key: Ed25519PublicKey, data: bytes, signature: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
