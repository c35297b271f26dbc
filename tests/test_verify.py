"""``cancelscout verify`` against real demo bundles, tampered in every way we can think of.

Two real bundles are made once per session (``cancelscout demo`` in a subprocess: one signed
with a keygen key, one with ``--no-sign``); each test tampers with its own copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cancelscout.integrity.bundle import canonical_json, sha256_bytes, sha256_file
from cancelscout.integrity.signing import (
    fingerprint,
    generate_keypair,
    load_public_key,
    sign_bundle,
)
from cancelscout.integrity.verify import VerifyReport, verify_bundle

REPO = Path(__file__).parent.parent
README = REPO / "README.md"
STANDALONE = REPO / "scripts" / "verify_bundle_standalone.py"

# The exact commands of README "How to verify a bundle", run in the bundle folder.
SHA256SUM_CMD = (
    """python3 -c 'import json; [print(f["sha256"] + "  " + f["path"]) for f in """
    """json.load(open("manifest.json"))["files"]]' | sha256sum --check --strict --quiet -"""
)
UNEXPECTED_CMD = (
    """comm -13 <(python3 -c 'import json; [print(f["path"]) for f in """
    """json.load(open("manifest.json"))["files"]]' | sort) <(find . -type f """
    """! -path ./manifest.json ! -path ./manifest.sig ! -path ./timestamp.tsr -printf '%P\\n' """
    """| sort)"""
)
OPENSSL_CMD = (
    "openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in manifest.json "
    "-sigfile manifest.sig"
)
FINGERPRINT_CMD = "openssl pkey -pubin -in signer.pub.pem -outform DER | tail -c 32 | sha256sum"


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cancelscout", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "LANG": "C.UTF-8", **(env or {})},
    )


@dataclass(frozen=True)
class Keys:
    home: Path
    private: Path
    public: Path
    fingerprint: str


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """The bundle owner's key, made by `cancelscout keygen` in a private home."""
    home = tmp_path_factory.mktemp("verify-home")
    proc = run_cli("keygen", env={"CANCELSCOUT_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    private, public = home / "keys" / "signing.key", home / "keys" / "signing.pub.pem"
    fp = fingerprint(load_public_key(public))
    assert fp in proc.stdout
    return Keys(home, private, public, fp)


def _demo_bundle(out: Path, home: Path, *extra: str) -> Path:
    proc = run_cli("demo", "--json", "--out", str(out), *extra, env={"CANCELSCOUT_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    return Path(json.loads(proc.stdout)["bundle"])


@pytest.fixture(scope="session")
def signed_source(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Path:
    # No --sign-key: the keygen key in CANCELSCOUT_HOME is the default.
    return _demo_bundle(tmp_path_factory.mktemp("signed"), keys.home)


@pytest.fixture(scope="session")
def unsigned_source(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Path:
    return _demo_bundle(tmp_path_factory.mktemp("unsigned"), keys.home, "--no-sign")


def _copy(source: Path, tmp_path: Path) -> Path:
    # Keep the folder name: an incomplete bundle takes its run id from it.
    return Path(shutil.copytree(source, tmp_path / "copy" / source.name))


@pytest.fixture
def signed(signed_source: Path, tmp_path: Path) -> Path:
    return _copy(signed_source, tmp_path)


@pytest.fixture
def unsigned(unsigned_source: Path, tmp_path: Path) -> Path:
    return _copy(unsigned_source, tmp_path)


@pytest.fixture(params=["unsigned", "signed"])
def bundle(request: pytest.FixtureRequest) -> Path:
    path: Path = request.getfixturevalue(request.param)
    return path


# -- tampering helpers --------------------------------------------------------------------
def _lines(root: Path) -> list[bytes]:
    data = (root / "steps.jsonl").read_bytes()
    assert data.endswith(b"\n")
    return data[:-1].split(b"\n")


def _write_lines(root: Path, lines: list[bytes]) -> None:
    (root / "steps.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))


def _dump_line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode()


def _write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    (root / "manifest.json").write_bytes(data + b"\n")


def _manifest(root: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((root / "manifest.json").read_bytes())
    return value


def flip_screenshot_byte(root: Path) -> None:
    path = root / "screenshots" / "002-hover.png"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def edit_step_text(root: Path) -> None:
    lines = _lines(root)
    record = json.loads(lines[2])
    record["label"] = "一个从未发生的步骤"
    lines[2] = _dump_line(record)
    _write_lines(root, lines)


def delete_step_line(root: Path) -> None:
    lines = _lines(root)
    del lines[2]
    _write_lines(root, lines)


def swap_screenshots(root: Path) -> None:
    a, b = root / "screenshots" / "001-goto.png", root / "screenshots" / "003-click.png"
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)


def reorder_lines(root: Path) -> None:
    lines = _lines(root)
    lines[1], lines[2] = lines[2], lines[1]
    _write_lines(root, lines)


def tear_last_line(root: Path) -> None:
    data = (root / "steps.jsonl").read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    (root / "steps.jsonl").write_bytes(data[: start + (len(data) - start) // 2])


def drop_last_record(root: Path) -> None:
    _write_lines(root, _lines(root)[:-1])


def add_file(root: Path) -> None:
    (root / "screenshots" / "007-extra.png").write_bytes(b"\x89PNG not really")


def delete_file(root: Path) -> None:
    (root / "dom" / "003-click.html").unlink()


def edit_manifest_status(root: Path) -> None:
    manifest = _manifest(root)
    manifest["status"] = "not_found"
    _write_manifest(root, manifest)


def rehash(root: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """The attack without the key: edit the manifest, then recompute every hash consistently."""
    manifest = _manifest(root)
    edit(manifest)
    own = {k: v for k, v in manifest.items() if k not in ("chain", "files")}
    lines = _lines(root)
    close = json.loads(lines[-1])
    close["manifest_fields_sha256"] = sha256_bytes(canonical_json(own))
    lines[-1] = _dump_line(close)
    _write_lines(root, lines)
    manifest["chain"]["head"] = sha256_bytes(lines[-1])
    for entry in manifest["files"]:
        path = root / entry["path"]
        entry["size"], entry["sha256"] = path.stat().st_size, sha256_file(path)
    _write_manifest(root, manifest)


def rehash_status(root: Path) -> None:
    rehash(root, lambda manifest: manifest.update(status="not_found"))


@dataclass(frozen=True)
class Case:
    tamper: Callable[[Path], None]
    names: tuple[str, ...]  # each must appear in some message
    expect: dict[str, Any] = field(default_factory=dict)  # report attributes


CASES: dict[str, Case] = {
    "byte_flip_in_screenshot": Case(
        flip_screenshot_byte,
        ("screenshots/002-hover.png", "record 2"),
        {"modified": ["screenshots/002-hover.png"], "broken_link": None},
    ),
    "edited_step_text": Case(
        edit_step_text,
        ("steps.jsonl", "record 4"),
        {"modified": ["steps.jsonl"], "broken_link": 4, "artifact_errors": []},
    ),
    "deleted_step_line": Case(
        delete_step_line, ("steps.jsonl", "record 3"), {"broken_link": 3, "truncated": True}
    ),
    "swapped_screenshots": Case(
        swap_screenshots,
        ("screenshots/001-goto.png", "screenshots/003-click.png"),
        {"modified": ["screenshots/001-goto.png", "screenshots/003-click.png"]},
    ),
    "reordered_lines": Case(reorder_lines, ("steps.jsonl", "record 2"), {"broken_link": 2}),
    "torn_last_line": Case(tear_last_line, ("steps.jsonl", "torn"), {"truncated": True}),
    "truncated_by_a_record": Case(
        drop_last_record,
        ("steps.jsonl", "truncated"),
        {"truncated": True, "chain_head_mismatch": True, "broken_link": None},
    ),
    "added_file": Case(
        add_file, ("screenshots/007-extra.png",), {"unexpected": ["screenshots/007-extra.png"]}
    ),
    "deleted_file": Case(
        delete_file,
        ("dom/003-click.html", "record 3"),
        {"missing": ["dom/003-click.html"]},
    ),
    "edited_manifest_field": Case(
        edit_manifest_status,
        ("manifest.json", "close record 6"),
        {"field_mismatch": True, "modified": [], "broken_link": None},
    ),
}


def _assert_names(report: VerifyReport, names: tuple[str, ...]) -> None:
    text = "\n".join(report.messages)
    for name in names:
        assert name in text, f"{name!r} not named in:\n{text}"


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_verify_detects_tampering(case: str, bundle: Path) -> None:
    spec = CASES[case]
    spec.tamper(bundle)
    report = verify_bundle(bundle, key=None)
    assert report.status == "tampered", report.messages
    _assert_names(report, spec.names)
    for attribute, value in spec.expect.items():
        assert getattr(report, attribute) == value, (attribute, report.messages)


def test_verify_untouched_bundle_is_intact(bundle: Path, keys: Keys) -> None:
    report = verify_bundle(bundle, key=None)
    assert report.status == "intact", report.messages
    assert report.messages == [] and report.records == 6
    if (bundle / "manifest.sig").exists():
        assert report.signature == {
            "valid": True,
            "fingerprint": keys.fingerprint,
            "matches_key": None,
        }
        assert verify_bundle(bundle, key=keys.public).status == "intact"
    else:
        assert report.signature is None


def test_verify_rehash_attack_is_invisible_without_a_signature(unsigned: Path) -> None:
    rehash_status(unsigned)
    # The limitation the signature exists for: hashes alone are consistent again.
    assert verify_bundle(unsigned, key=None).status == "intact"


def test_verify_rehash_attack_is_caught_by_the_signature(signed: Path, keys: Keys) -> None:
    rehash_status(signed)
    for key in (None, keys.public):
        report = verify_bundle(signed, key=key)
        assert report.status == "tampered"
        # Every hash check passes: only the signature catches it.
        assert (report.modified, report.missing, report.unexpected) == ([], [], [])
        assert report.broken_link is None and not report.truncated
        assert not report.field_mismatch and not report.chain_head_mismatch
        assert report.artifact_errors == []
        assert report.signature is not None and report.signature["valid"] is False
        _assert_names(report, ("manifest.sig", keys.fingerprint))


def test_verify_resigned_with_another_key_fails_only_with_key(
    signed: Path, keys: Keys, tmp_path: Path
) -> None:
    other_private, other_public = generate_keypair(tmp_path / "attacker")
    other_fp = fingerprint(load_public_key(other_public))

    def swap_signer(manifest: dict[str, Any]) -> None:
        manifest["status"] = "not_found"
        manifest["signer"]["fingerprint"] = other_fp
        shutil.copyfile(other_public, signed / "signer.pub.pem")

    rehash(signed, swap_signer)
    sign_bundle(signed, other_private)
    report = verify_bundle(signed, key=None)
    # A consistent bundle by *some* key: the report shows whose, the owner's key decides.
    assert report.status == "intact"
    assert report.signature == {"valid": True, "fingerprint": other_fp, "matches_key": None}
    report = verify_bundle(signed, key=keys.public)
    assert report.status == "tampered"
    assert report.signature is not None and report.signature["matches_key"] is False
    _assert_names(report, ("manifest.sig", other_fp, keys.fingerprint))


def test_verify_signature_by_another_key_than_key_option(signed: Path, tmp_path: Path) -> None:
    _, other_public = generate_keypair(tmp_path / "other")
    report = verify_bundle(signed, key=other_public)
    assert report.status == "tampered"
    assert report.signature is not None
    assert report.signature["valid"] is True and report.signature["matches_key"] is False
    _assert_names(report, ("manifest.sig", fingerprint(load_public_key(other_public))))


def test_verify_missing_signature_of_declared_signer(signed: Path) -> None:
    (signed / "manifest.sig").unlink()
    report = verify_bundle(signed, key=None)
    assert report.status == "tampered"
    _assert_names(report, ("manifest.sig",))


def test_verify_unsigned_bundle_with_key_option(unsigned: Path, keys: Keys) -> None:
    report = verify_bundle(unsigned, key=keys.public)
    assert report.status == "tampered"
    _assert_names(report, ("manifest.json", keys.fingerprint))


def _kill9(root: Path) -> None:
    """What kill -9 leaves: no manifest (nor what follows it), a half-written last line."""
    for name in ("manifest.json", "manifest.sig"):
        (root / name).unlink(missing_ok=True)
    tear_last_line(root)


def test_verify_killed_run_is_incomplete(bundle: Path) -> None:
    _kill9(bundle)
    report = verify_bundle(bundle, key=None)
    assert report.status == "incomplete", report.messages
    assert report.truncated and report.records == 5
    _assert_names(report, ("steps.jsonl", "torn", "manifest.json"))


@pytest.mark.parametrize(
    ("tamper", "name"),
    [(flip_screenshot_byte, "screenshots/002-hover.png"), (reorder_lines, "record 2")],
    ids=["artifact", "chain"],
)
def test_verify_killed_run_with_tampering_is_tampered(
    unsigned: Path, tamper: Callable[[Path], None], name: str
) -> None:
    tamper(unsigned)
    _kill9(unsigned)
    report = verify_bundle(unsigned, key=None)
    assert report.status == "tampered"
    _assert_names(report, (name,))


def test_verify_killed_run_in_renamed_folder_cannot_be_anchored(
    unsigned: Path, tmp_path: Path
) -> None:
    _kill9(unsigned)
    renamed = unsigned.rename(tmp_path / "evidence")
    report = verify_bundle(renamed, key=None)
    assert report.status == "tampered"
    _assert_names(report, ("evidence",))


# -- the command line -------------------------------------------------------------------
def test_verify_cli_intact_json_exit_0(signed: Path, keys: Keys) -> None:
    proc = run_cli("verify", str(signed), "--key", str(keys.public), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == "intact" and report["records"] == 6
    assert report["signature"] == {
        "valid": True,
        "fingerprint": keys.fingerprint,
        "matches_key": True,
    }
    human = run_cli("verify", str(signed))
    assert human.returncode == 0 and "INTACT" in human.stdout
    assert keys.fingerprint in human.stdout


def test_verify_cli_tampered_exit_1_names_file(signed: Path) -> None:
    swap_screenshots(signed)
    proc = run_cli("verify", str(signed))
    assert proc.returncode == 1
    assert "TAMPERED" in proc.stdout
    assert "screenshots/001-goto.png" in proc.stdout and "screenshots/003-click.png" in proc.stdout


@pytest.mark.parametrize("kind", ["empty_folder", "file", "absent", "foreign_manifest"])
def test_verify_cli_not_a_bundle_exit_2(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "thing"
    if kind == "empty_folder":
        target.mkdir()
    elif kind == "file":
        target.write_text("hello")
    elif kind == "foreign_manifest":
        target.mkdir()
        (target / "manifest.json").write_text('{"name": "some npm package"}')
    proc = run_cli("verify", str(target), "--json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["status"] == "not_a_bundle"


def test_verify_cli_killed_run_exit_3(unsigned: Path) -> None:
    _kill9(unsigned)
    proc = run_cli("verify", str(unsigned))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "INCOMPLETE" in proc.stdout and "torn" in proc.stdout


# -- the README procedure, without cancelscout ---------------------------------------------
def _readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## How to verify a bundle")
    return text[start : text.index("\n## ", start + 1)]


def test_verify_readme_documents_the_exact_procedure() -> None:
    section = _readme_section()
    for command in (SHA256SUM_CMD, UNEXPECTED_CMD, OPENSSL_CMD, FINGERPRINT_CMD):
        assert command in section, command
    # The snippet in the README is the script, line for line (indented inside the list).
    script = STANDALONE.read_text(encoding="utf-8").rstrip("\n").split("\n")
    indented = "\n".join(f"   {line}" if line else "" for line in script)
    assert f"   ```python\n{indented}\n   ```" in section


def _system_python() -> str:
    return shutil.which("python3") or sys.executable


def _readme_procedure(root: Path) -> dict[str, Any]:
    """Steps 1-4 of the README, as a person without cancelscout runs them."""

    def shell(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command], cwd=root, capture_output=True, text=True, timeout=60
        )

    steps: dict[str, Any] = {}
    steps["files"] = shell(SHA256SUM_CMD).returncode == 0
    unexpected = shell(UNEXPECTED_CMD)
    steps["no_added_files"] = unexpected.returncode == 0 and unexpected.stdout == ""
    chain = subprocess.run(
        [_system_python(), str(STANDALONE), "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    steps["chain"] = chain.returncode == 0 and chain.stdout.startswith("chain OK: ")
    if shutil.which("openssl"):
        signature = shell(OPENSSL_CMD)
        steps["signature"] = signature.returncode == 0 and "Verified Successfully" in (
            signature.stdout
        )
        steps["fingerprint"] = "SHA256:" + shell(FINGERPRINT_CMD).stdout.split()[0]
    return steps


@pytest.mark.parametrize(
    ("tamper", "failing"),
    [
        (None, set()),
        (flip_screenshot_byte, {"files", "chain"}),  # the manifest is untouched
        (add_file, {"no_added_files"}),
        (edit_manifest_status, {"chain", "signature"}),
        (rehash_status, {"signature"}),
    ],
    ids=["intact", "byte_flip", "added_file", "manifest_field", "rehash"],
)
def test_verify_standalone_readme_procedure(
    signed: Path, keys: Keys, tamper: Callable[[Path], None] | None, failing: set[str]
) -> None:
    if tamper is not None:
        tamper(signed)
    steps = _readme_procedure(signed)
    if "signature" not in steps:
        failing = failing - {"signature"}  # no openssl on this machine: steps 1-3 only
    else:
        assert steps.pop("fingerprint") == keys.fingerprint
    assert {name for name, ok in steps.items() if not ok} == failing
    # cancelscout agrees with the independent check.
    assert verify_bundle(signed, key=keys.public).status == ("tampered" if failing else "intact")
