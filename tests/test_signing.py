"""Ed25519 keys and bundle signatures: file modes, fingerprints, refusals, the keygen command."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cancelscout.errors import UsageError
from cancelscout.integrity.signing import (
    fingerprint,
    generate_keypair,
    load_private_key,
    load_public_key,
    sign_bundle,
    signer_fields,
    verify_signature,
    write_signer_key,
)


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cancelscout", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LANG": "C.UTF-8", "CANCELSCOUT_HOME": str(home)},
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_signing_keypair_modes_and_formats(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "keys")
    assert (private.name, public.name) == ("signing.key", "signing.pub.pem")
    assert _mode(private) == 0o600 and _mode(tmp_path / "keys") == 0o700
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS8
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")  # SubjectPublicKeyInfo
    # Nothing else, temporary files included, is left behind.
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [private.name, public.name]


def test_signing_fingerprint_is_sha256_of_raw_key(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert len(raw) == 32
    assert fingerprint(key.public_key()) == "SHA256:" + hashlib.sha256(raw).hexdigest()


def test_signing_refuses_overwrite_without_force(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path)
    before = fingerprint(load_public_key(public))
    with pytest.raises(UsageError, match="--force"):
        generate_keypair(tmp_path)
    assert fingerprint(load_public_key(public)) == before
    generate_keypair(tmp_path, force=True)
    assert fingerprint(load_public_key(public)) != before
    assert _mode(private) == 0o600


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_signing_refuses_key_readable_by_others(tmp_path: Path, mode: int) -> None:
    private, _ = generate_keypair(tmp_path)
    private.chmod(mode)
    with pytest.raises(UsageError) as caught:
        load_private_key(private)
    assert str(private) in caught.value.message
    assert f"chmod 600 {private}" in caught.value.message
    with pytest.raises(UsageError):
        signer_fields(private)


def test_signing_rejects_missing_and_foreign_keys(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="keygen"):
        load_private_key(tmp_path / "nope.key")
    junk = tmp_path / "junk.key"
    junk.write_text("not a key")
    junk.chmod(0o600)
    with pytest.raises(UsageError, match=r"junk\.key"):
        load_private_key(junk)
    with pytest.raises(UsageError, match=r"junk\.key"):
        load_public_key(junk)


def test_signing_sign_bundle_raw_signature_over_manifest_bytes(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "keys")
    root = tmp_path / "bundle"
    root.mkdir()
    signer_key = write_signer_key(root, private)
    assert signer_key.read_bytes() == public.read_bytes()
    fields = signer_fields(private)
    assert fields == {
        "algorithm": "ed25519",
        "fingerprint": fingerprint(load_public_key(public)),
        "public_key": "signer.pub.pem",
    }
    manifest = json.dumps({"signer": fields}, indent=2).encode() + b"\n"
    (root / "manifest.json").write_bytes(manifest)
    signature = sign_bundle(root, private).read_bytes()
    assert len(signature) == 64
    key = load_public_key(signer_key)
    assert verify_signature(key, manifest, signature)
    assert not verify_signature(key, manifest + b" ", signature)
    assert sorted(p.name for p in root.iterdir()) == [
        "manifest.json",
        "manifest.sig",
        "signer.pub.pem",
    ]


def test_signing_sign_bundle_needs_a_manifest(tmp_path: Path) -> None:
    private, _ = generate_keypair(tmp_path / "keys")
    with pytest.raises(UsageError, match=r"manifest\.json"):
        sign_bundle(tmp_path, private)


def test_signing_keygen_cli_modes_output_and_force(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = run_cli("keygen", home=home)
    assert proc.returncode == 0, proc.stderr
    keys = home / "keys"
    public = keys / "signing.pub.pem"
    assert _mode(keys / "signing.key") == 0o600
    assert _mode(keys) == 0o700 and _mode(home) == 0o700
    first = fingerprint(load_public_key(public))
    assert str(public) in proc.stdout and first in proc.stdout
    again = run_cli("keygen", home=home)
    assert again.returncode == 2 and "--force" in again.stderr
    assert fingerprint(load_public_key(public)) == first
    forced = run_cli("keygen", "--force", home=home)
    assert forced.returncode == 0
    assert fingerprint(load_public_key(public)) != first


@pytest.mark.parametrize("command", ["demo", "locate-cancel"])
def test_signing_bad_sign_key_fails_before_the_run(command: str, tmp_path: Path) -> None:
    private, _ = generate_keypair(tmp_path / "keys")
    private.chmod(0o644)
    args = [command, "--sign-key", str(private), "--out", str(tmp_path / "out")]
    if command == "locate-cancel":
        args.insert(1, "demo-xingchen")
    proc = run_cli(*args, home=tmp_path / "home")
    assert proc.returncode == 2
    assert f"chmod 600 {private}" in proc.stderr
    assert not (tmp_path / "out").exists()  # checked before any browser or bundle


def test_signing_sign_key_and_no_sign_conflict(tmp_path: Path) -> None:
    private, _ = generate_keypair(tmp_path / "keys")
    proc = run_cli("demo", "--sign-key", str(private), "--no-sign", home=tmp_path / "home")
    assert proc.returncode == 2 and "--no-sign" in proc.stderr
