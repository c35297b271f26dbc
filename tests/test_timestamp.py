"""RFC 3161 timestamps: request, verify, and every way a TSA or a token can lie.

All traffic goes to a ``LocalTSA`` on 127.0.0.1 started by the tests; nothing leaves the
machine. When ``openssl`` is on PATH, its ``ts -verify`` must accept the tokens too, which
proves they are standard and not just consistent with our own verifier.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from asn1crypto import cms, tsp  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.serialization import Encoding

from cancelscout.errors import SiteError
from cancelscout.integrity.timestamp import (
    QUERY_CONTENT_TYPE,
    TimestampCheck,
    request_timestamp,
    verify_timestamp,
)
from tsa_server import REJECT_TEXT, LocalTSA, TimeStampResp, make_ca, make_tsa_cert

DATA = b'{"format": "cancelscout-bundle/1", "files": []}\n'
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl is not on PATH")


@pytest.fixture(scope="module")
def tsa() -> Iterator[LocalTSA]:
    with LocalTSA() as server:
        yield server


@pytest.fixture(scope="module")
def rsa_tsa() -> Iterator[LocalTSA]:
    with LocalTSA(kind="rsa") as server:
        yield server


@pytest.fixture(scope="module")
def token(tsa: LocalTSA) -> bytes:
    return request_timestamp(tsa.url, DATA)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assert_one_line(error: SiteError) -> None:
    assert "\n" not in error.message
    assert error.message == str(error)


# -- round trip ------------------------------------------------------------------------------


def test_timestamp_round_trip_valid(tsa: LocalTSA) -> None:
    before = tsa.requests
    first = request_timestamp(tsa.url, DATA)
    second = request_timestamp(tsa.url, DATA)
    assert tsa.requests == before + 2

    check = verify_timestamp(first, DATA)
    assert isinstance(check, TimestampCheck)
    assert check.valid, check.reason
    assert check.reason is None
    assert "cancelscout test TSA" in check.tsa
    assert check.gen_time.endswith("Z")
    moment = datetime.fromisoformat(check.gen_time.replace("Z", "+00:00"))
    assert abs(datetime.now(timezone.utc) - moment) < timedelta(seconds=60)

    again = verify_timestamp(second, DATA)
    assert again.valid, again.reason
    assert again.serial == check.serial + 1


def test_timestamp_round_trip_rsa(rsa_tsa: LocalTSA) -> None:
    check = verify_timestamp(request_timestamp(rsa_tsa.url, DATA), DATA)
    assert check.valid, check.reason
    assert "cancelscout test TSA" in check.tsa


def test_timestamp_check_is_frozen(token: bytes) -> None:
    check = verify_timestamp(token, DATA)
    with pytest.raises(AttributeError):
        check.valid = False  # type: ignore[misc]


def test_timestamp_bare_token_accepted(token: bytes) -> None:
    """The ContentInfo alone (``openssl ts -token_out``) verifies like the whole response."""
    bare = TimeStampResp.load(token)["time_stamp_token"].dump()
    assert cms.ContentInfo.load(bare)["content_type"].native == "signed_data"
    check = verify_timestamp(bare, DATA)
    assert check.valid, check.reason


# -- trust -----------------------------------------------------------------------------------


def test_timestamp_trusted_ca_accepted(tsa: LocalTSA, token: bytes) -> None:
    check = verify_timestamp(token, DATA, trusted_cert_pem=tsa.ca_cert_pem)
    assert check.valid, check.reason
    pinned = verify_timestamp(token, DATA, trusted_cert_pem=tsa.tsa_cert_pem)
    assert pinned.valid, pinned.reason
    bundle = make_ca("another CA")[1].public_bytes(Encoding.PEM) + tsa.ca_cert_pem
    assert verify_timestamp(token, DATA, trusted_cert_pem=bundle).valid


def test_timestamp_unrelated_ca_refused(token: bytes) -> None:
    # Same subject name as the real CA, different key: a name match must not be enough.
    _key, impostor = make_ca()
    check = verify_timestamp(token, DATA, trusted_cert_pem=impostor.public_bytes(Encoding.PEM))
    assert not check.valid
    assert check.reason is not None
    assert "trusted" in check.reason
    assert "cancelscout test TSA" in check.tsa


def test_timestamp_sibling_tsa_cert_refused(tsa: LocalTSA, token: bytes) -> None:
    """Pinning a different TSA certificate of the same CA must not accept this one."""
    _key, sibling = make_tsa_cert(tsa.ca_key, tsa.ca_cert)
    pem = sibling.public_bytes(Encoding.PEM)
    assert not verify_timestamp(token, DATA, trusted_cert_pem=pem).valid


def test_timestamp_unreadable_trusted_pem_invalid(token: bytes) -> None:
    check = verify_timestamp(token, DATA, trusted_cert_pem=b"not a certificate")
    assert not check.valid
    assert check.reason is not None and "PEM" in check.reason


# -- bad tokens ------------------------------------------------------------------------------


def test_timestamp_other_data_invalid(token: bytes) -> None:
    check = verify_timestamp(token, DATA + b" ")
    assert not check.valid
    assert check.reason is not None and "imprint" in check.reason
    assert check.serial > 0 and check.gen_time


def test_timestamp_corrupted_signature_invalid() -> None:
    with LocalTSA(corrupt=True) as bad:
        token = request_timestamp(bad.url, DATA)
    check = verify_timestamp(token, DATA)
    assert not check.valid
    assert check.reason is not None and "signature" in check.reason


def test_timestamp_altered_message_digest_invalid() -> None:
    with LocalTSA(bad_digest=True) as bad:
        token = request_timestamp(bad.url, DATA)
    check = verify_timestamp(token, DATA)
    assert not check.valid
    assert check.reason is not None and "messageDigest" in check.reason


def test_timestamp_certificate_without_eku_invalid() -> None:
    with LocalTSA(no_eku=True) as bad:
        token = request_timestamp(bad.url, DATA)
    check = verify_timestamp(token, DATA)
    assert not check.valid
    assert check.reason is not None and "timeStamping" in check.reason


def test_timestamp_garbage_token_never_raises(token: bytes) -> None:
    for junk in (b"", b"\x00", b"junk", token[:-1], token[: len(token) // 2], token + b"\x00"):
        check = verify_timestamp(junk, DATA)
        assert not check.valid
        assert check.reason
    # Flip each byte in turn: verify answers (never raises) and every single flip is caught,
    # in signed and unsigned parts alike (versions, digestAlgorithms, lengths, certificates).
    still_valid = []
    for position in range(len(token)):
        mutated = bytearray(token)
        mutated[position] ^= 0x5A
        check = verify_timestamp(bytes(mutated), DATA)
        assert isinstance(check, TimestampCheck)
        if check.valid:
            still_valid.append(position)
    assert still_valid == []


def _post_query(url: str, *, cert_req: bool) -> bytes:
    """POST a hand-made TimeStampReq (no nonce) and return the raw answer."""
    query = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(DATA).digest(),
            },
            "cert_req": cert_req,
        }
    ).dump()
    request = urllib.request.Request(
        url, data=query, method="POST", headers={"Content-Type": QUERY_CONTENT_TYPE}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return bytes(answer.read())


def test_timestamp_refusal_file_invalid() -> None:
    """A saved refusal is not a token, even though it parses as a TimeStampResp."""
    with LocalTSA(reject=True) as refusing:
        refusal = _post_query(refusing.url, cert_req=True)
    check = verify_timestamp(refusal, DATA)
    assert not check.valid
    assert check.reason is not None and "refusal" in check.reason


def test_timestamp_token_without_certificate(tsa: LocalTSA) -> None:
    """Without certReq the token names its signer only: the trusted PEM must supply it."""
    token = _post_query(tsa.url, cert_req=False)
    alone = verify_timestamp(token, DATA)
    assert not alone.valid
    assert alone.reason is not None and "certificate" in alone.reason
    pinned = verify_timestamp(token, DATA, trusted_cert_pem=tsa.tsa_cert_pem)
    assert pinned.valid, pinned.reason
    # The CA alone cannot stand in for the missing TSA certificate.
    assert not verify_timestamp(token, DATA, trusted_cert_pem=tsa.ca_cert_pem).valid


# -- request failures ------------------------------------------------------------------------


def test_timestamp_rejected_request_raises() -> None:
    with LocalTSA(reject=True) as refusing, pytest.raises(SiteError) as caught:
        request_timestamp(refusing.url, DATA)
    assert REJECT_TEXT in caught.value.message
    assert "rejection" in caught.value.message
    _assert_one_line(caught.value)


def test_timestamp_unreachable_raises() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/tsa"
    with pytest.raises(SiteError, match="unreachable") as caught:
        request_timestamp(url, DATA, timeout_s=5)
    _assert_one_line(caught.value)


def test_timestamp_wrong_nonce_raises() -> None:
    with LocalTSA(wrong_nonce=True) as lying, pytest.raises(SiteError, match="nonce") as caught:
        request_timestamp(lying.url, DATA)
    _assert_one_line(caught.value)


def test_timestamp_http_error_raises() -> None:
    with LocalTSA(http_status=503) as failing, pytest.raises(SiteError, match="HTTP 503") as caught:
        request_timestamp(failing.url, DATA)
    _assert_one_line(caught.value)


def test_timestamp_malformed_answer_raises() -> None:
    with LocalTSA(garbage=True) as garbled, pytest.raises(SiteError, match="malformed") as caught:
        request_timestamp(garbled.url, DATA)
    _assert_one_line(caught.value)


def test_timestamp_slow_tsa_times_out() -> None:
    with LocalTSA(delay_s=1.5) as slow, pytest.raises(SiteError) as caught:
        request_timestamp(slow.url, DATA, timeout_s=0.2)
    assert "0.2 s" in caught.value.message or "timed out" in caught.value.message
    _assert_one_line(caught.value)


def test_timestamp_bad_url_raises() -> None:
    with pytest.raises(SiteError, match="http"):
        request_timestamp("ftp://127.0.0.1/tsa", DATA)


# -- OpenSSL cross-check ---------------------------------------------------------------------


def _openssl_verify(
    tmp_path: Path, token: bytes, data: bytes, ca_pem: bytes
) -> subprocess.CompletedProcess[str]:
    assert OPENSSL is not None
    (tmp_path / "data.bin").write_bytes(data)
    (tmp_path / "timestamp.tsr").write_bytes(token)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    return subprocess.run(
        [
            OPENSSL,
            "ts",
            "-verify",
            "-data",
            str(tmp_path / "data.bin"),
            "-in",
            str(tmp_path / "timestamp.tsr"),
            "-CAfile",
            str(tmp_path / "ca.pem"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@needs_openssl
@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_timestamp_openssl_accepts_token(
    kind: str, tsa: LocalTSA, rsa_tsa: LocalTSA, tmp_path: Path
) -> None:
    server = tsa if kind == "ec" else rsa_tsa
    token = request_timestamp(server.url, DATA)
    result = _openssl_verify(tmp_path, token, DATA, server.ca_cert_pem)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verification: OK" in result.stdout


@needs_openssl
def test_timestamp_openssl_refuses_what_we_refuse(
    tsa: LocalTSA, token: bytes, tmp_path: Path
) -> None:
    """The cross-check has teeth: OpenSSL fails where verify_timestamp fails."""
    other_data = _openssl_verify(tmp_path, token, DATA + b" ", tsa.ca_cert_pem)
    assert other_data.returncode != 0
    impostor = make_ca()[1].public_bytes(Encoding.PEM)
    other_ca = _openssl_verify(tmp_path, token, DATA, impostor)
    assert other_ca.returncode != 0
    with LocalTSA(corrupt=True) as bad:
        corrupt = request_timestamp(bad.url, DATA)
        broken = _openssl_verify(tmp_path, corrupt, DATA, bad.ca_cert_pem)
    assert broken.returncode != 0
