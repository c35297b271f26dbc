"""RFC 3161 trusted time end to end: a run timestamps its manifest; verify checks the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tsa_server import OTHER_POLICY_OID, POLICY_OID, LocalTSA


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cancelscout", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.fixture(scope="module")
def tsa() -> Iterator[LocalTSA]:
    with LocalTSA() as server:
        yield server


@pytest.fixture(scope="module")
def stamped_bundle(tsa: LocalTSA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stamped")
    env = {"CANCELSCOUT_HOME": str(out / "home"), "CANCELSCOUT_TSA_URL": tsa.url}
    proc = cli("demo", "--json", "--out", str(out / "rec"), env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["timestamp"]["tsa_url"] == tsa.url
    assert result["timestamp"]["gen_time"].endswith("Z")
    return Path(result["bundle"])


def test_trusted_time_token_is_stored_and_verified(
    stamped_bundle: Path, tsa: LocalTSA, tmp_path: Path
) -> None:
    assert (stamped_bundle / "timestamp.tsr").stat().st_size > 500
    ca = tmp_path / "ca.pem"
    ca.write_bytes(tsa.ca_cert_pem)
    proc = cli("verify", str(stamped_bundle), "--json", "--tsa-cert", str(ca), env={})
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)
    assert report["timestamp"]["valid"] is True
    assert report["timestamp"]["trusted"] is True


def test_trusted_time_token_from_another_tsa_is_not_trusted(
    stamped_bundle: Path, tmp_path: Path
) -> None:
    with LocalTSA() as stranger:
        other_ca = tmp_path / "other-ca.pem"
        other_ca.write_bytes(stranger.ca_cert_pem)
    proc = cli("verify", str(stamped_bundle), "--json", "--tsa-cert", str(other_ca), env={})
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["timestamp"]["valid"] is False


def test_trusted_time_token_of_other_manifest_is_tampering(
    stamped_bundle: Path, tsa: LocalTSA, tmp_path: Path
) -> None:
    import shutil

    from cancelscout.integrity.timestamp import request_timestamp

    copy = tmp_path / stamped_bundle.name
    shutil.copytree(stamped_bundle, copy)
    (copy / "timestamp.tsr").write_bytes(request_timestamp(tsa.url, b"some other manifest"))
    proc = cli("verify", str(copy), "--json", env={})
    assert proc.returncode == 1
    assert "timestamp.tsr" in " ".join(json.loads(proc.stdout)["messages"])


def test_trusted_time_unreachable_tsa_keeps_the_evidence(tmp_path: Path) -> None:
    env = {"CANCELSCOUT_HOME": str(tmp_path / "home"), "CANCELSCOUT_TSA_URL": "http://127.0.0.1:9/"}
    proc = cli("demo", "--json", "--out", str(tmp_path / "rec"), env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["timestamp"]["tsa_url"] == "http://127.0.0.1:9/"
    assert result["timestamp"]["error"].startswith(
        "The timestamp authority http://127.0.0.1:9/ is unreachable: "
    )
    bundle = Path(result["bundle"])
    assert not (bundle / "timestamp.tsr").exists()
    assert cli("verify", str(bundle), env={}).returncode == 0


def test_trusted_time_without_anchor_is_untrusted_not_valid(
    stamped_bundle: Path, tsa: LocalTSA, tmp_path: Path
) -> None:
    plain = cli("verify", str(stamped_bundle), env={"COLUMNS": "200"})
    assert plain.returncode == 0, plain.stdout  # the bundle itself is intact
    line = next(x for x in plain.stdout.splitlines() if "timestamp:" in x)
    assert "UNTRUSTED: covers the manifest, but the TSA was not checked" in line
    assert "valid" not in line.replace("UNTRUSTED", "")
    ca = tmp_path / "ca.pem"
    ca.write_bytes(tsa.ca_cert_pem)
    anchored = cli("verify", str(stamped_bundle), "--tsa-cert", str(ca), env={"COLUMNS": "200"})
    line = next(x for x in anchored.stdout.splitlines() if "timestamp:" in x)
    assert line.endswith("valid · TSA trusted (--tsa-cert)")


def test_trusted_time_expected_policy_trusted(
    stamped_bundle: Path, tsa: LocalTSA, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(tsa.ca_cert_pem)
    args = ("verify", str(stamped_bundle), "--json", "--tsa-cert", str(ca), "--tsa-policy")
    proc = cli(*args, POLICY_OID, env={})
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["timestamp"]["trusted"] is True
    other = cli(*args, OTHER_POLICY_OID, env={})
    assert other.returncode == 1
    assert json.loads(other.stdout)["timestamp"]["error"] == (
        f"the token names the TSA policy {POLICY_OID}, not the expected {OTHER_POLICY_OID}"
    )


def test_trusted_time_policy_without_anchor_is_a_usage_error(stamped_bundle: Path) -> None:
    proc = cli("verify", str(stamped_bundle), "--tsa-policy", POLICY_OID, env={})
    assert proc.returncode == 2
    assert "--tsa-policy needs --tsa-cert" in proc.stderr
