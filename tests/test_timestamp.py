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
import sys
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

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
from tsa_server import (
    OTHER_POLICY_OID,
    POLICY_OID,
    REJECT_TEXT,
    UNKNOWN_PURPOSE_OID,
    LocalTSA,
    TimeStampResp,
    make_ca,
    make_tsa_cert,
)

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
    assert check.trusted is False  # no root given
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


# -- trust: rfc3161-client against the given roots ------------------------------------------

_SUBJECT = "O=cancelscout tests,CN=cancelscout test TSA"
_NO_ISSUER = (
    f"the TSA certificate ({_SUBJECT}) does not chain to a trusted root certificate: "
    "unable to get local issuer certificate"
)
_PINNED_ALONE = (
    _NO_ISSUER + " (a TSA certificate is pinned, not trusted, on its own: give its root too)"
)


def test_timestamp_without_anchor_untrusted(token: bytes) -> None:
    check = verify_timestamp(token, DATA)
    assert (check.valid, check.trusted, check.reason) == (True, False, None)


def test_timestamp_trusted_ca_accepted(tsa: LocalTSA, token: bytes) -> None:
    check = verify_timestamp(token, DATA, trusted_cert_pem=tsa.ca_cert_pem)
    assert (check.valid, check.trusted, check.reason) == (True, True, None)
    pinned = verify_timestamp(token, DATA, trusted_cert_pem=tsa.tsa_cert_pem + tsa.ca_cert_pem)
    assert (pinned.valid, pinned.trusted) == (True, True)
    bundle = make_ca("another CA")[1].public_bytes(Encoding.PEM) + tsa.ca_cert_pem
    assert verify_timestamp(token, DATA, trusted_cert_pem=bundle).trusted


def test_timestamp_tsa_cert_alone_not_trusted(tsa: LocalTSA, token: bytes) -> None:
    """rfc3161-client's anchors are self-signed roots: the TSA certificate alone is not one."""
    check = verify_timestamp(token, DATA, trusted_cert_pem=tsa.tsa_cert_pem)
    assert (check.valid, check.trusted, check.reason) == (False, False, _PINNED_ALONE)


def test_timestamp_unrelated_ca_refused(token: bytes) -> None:
    # Same subject name as the real CA, different key: a name match must not be enough.
    _key, impostor = make_ca()
    check = verify_timestamp(token, DATA, trusted_cert_pem=impostor.public_bytes(Encoding.PEM))
    assert (check.valid, check.trusted, check.reason) == (False, False, _NO_ISSUER)
    assert check.tsa == _SUBJECT


def test_timestamp_sibling_tsa_cert_refused(tsa: LocalTSA, token: bytes) -> None:
    """Pinning a different TSA certificate of the same CA must not accept this one."""
    _key, sibling = make_tsa_cert(tsa.ca_key, tsa.ca_cert)
    check = verify_timestamp(token, DATA, trusted_cert_pem=sibling.public_bytes(Encoding.PEM))
    assert check.reason == _NO_ISSUER


def test_timestamp_unreadable_trusted_pem_invalid(token: bytes) -> None:
    check = verify_timestamp(token, DATA, trusted_cert_pem=b"not a certificate")
    assert not check.valid
    assert check.reason is not None
    assert check.reason.startswith("the trusted certificate PEM cannot be read")


def test_timestamp_expected_policy_accepted(tsa: LocalTSA, token: bytes) -> None:
    check = verify_timestamp(token, DATA, trusted_cert_pem=tsa.ca_cert_pem, policy=POLICY_OID)
    assert (check.valid, check.trusted) == (True, True)


def test_timestamp_wrong_policy_invalid() -> None:
    with LocalTSA(policy=OTHER_POLICY_OID) as other:
        token = request_timestamp(other.url, DATA)
        anchor = other.ca_cert_pem
    check = verify_timestamp(token, DATA, trusted_cert_pem=anchor, policy=POLICY_OID)
    assert check.reason == (
        f"the token names the TSA policy {OTHER_POLICY_OID}, not the expected {POLICY_OID}"
    )


def test_timestamp_policy_without_anchor_raises(token: bytes) -> None:
    with pytest.raises(ValueError, match="only with trusted certificates"):
        verify_timestamp(token, DATA, policy=POLICY_OID)


def test_timestamp_chain_checked_at_gen_time() -> None:
    """A TSA certificate that has expired since, but was valid at genTime, is trusted."""
    with LocalTSA(expired=True, clock=timedelta(hours=-36)) as old:
        token = request_timestamp(old.url, DATA)
        anchor = old.ca_cert_pem
    check = verify_timestamp(token, DATA, trusted_cert_pem=anchor)
    assert (check.valid, check.trusted, check.reason) == (True, True, None)


def test_timestamp_certificate_expired_at_gen_time_invalid() -> None:
    with LocalTSA(expired=True) as expired:
        token = request_timestamp(expired.url, DATA)
        anchor = expired.ca_cert_pem
    check = verify_timestamp(token, DATA, trusted_cert_pem=anchor)
    assert check.reason == (
        f"the TSA certificate chain was not valid at genTime {check.gen_time}: "
        "certificate has expired"
    )
    # Validity is part of the chain check: without a root the token is whole but untrusted.
    unanchored = verify_timestamp(token, DATA)
    assert (unanchored.valid, unanchored.trusted) == (True, False)


def test_timestamp_certificate_not_yet_valid_at_gen_time_invalid() -> None:
    """A TSA clock two days slow puts genTime before its certificate's notBefore."""
    with LocalTSA(clock=timedelta(days=-2)) as slow:
        token = request_timestamp(slow.url, DATA)
        anchor = slow.ca_cert_pem
    check = verify_timestamp(token, DATA, trusted_cert_pem=anchor)
    assert check.reason == (
        f"the TSA certificate chain was not valid at genTime {check.gen_time}: "
        "certificate is not yet valid"
    )


def test_timestamp_key_usage_beyond_signing_invalid() -> None:
    """OpenSSL's timestamp purpose (rfc3161-client) also judges the keyUsage."""
    with LocalTSA(wide_usage=True) as wide:
        token = request_timestamp(wide.url, DATA)
        anchor = wide.ca_cert_pem
    check = verify_timestamp(token, DATA, trusted_cert_pem=anchor)
    assert check.reason == (
        f"a certificate of the TSA's chain ({_SUBJECT}) is not for timestamping: "
        "unsuitable certificate purpose"
    )


# -- bad tokens: the same reason with and without a root ------------------------------------

ANCHORED = pytest.mark.parametrize("anchored", [False, True], ids=["no_root", "root"])


def _check_faulty(anchored: bool, **fault: Any) -> TimestampCheck:
    """A token from a TSA lying in one way, checked without a root or with the TSA's CA."""
    with LocalTSA(**fault) as lying:
        token = request_timestamp(lying.url, DATA)
        anchor = lying.ca_cert_pem if anchored else None
    check = verify_timestamp(token, DATA, trusted_cert_pem=anchor)
    assert (check.valid, check.trusted) == (False, False)
    assert check.serial > 0 and check.gen_time and check.tsa == _SUBJECT
    return check


@ANCHORED
def test_timestamp_other_data_invalid(tsa: LocalTSA, token: bytes, anchored: bool) -> None:
    anchor = tsa.ca_cert_pem if anchored else None
    check = verify_timestamp(token, DATA + b" ", trusted_cert_pem=anchor)
    assert check.reason == (
        "the message imprint does not match the data: the token was made for other bytes"
    )
    assert check.serial > 0 and check.gen_time


@ANCHORED
def test_timestamp_corrupted_signature_invalid(anchored: bool) -> None:
    check = _check_faulty(anchored, corrupt=True)
    assert check.reason == "the TSA signature does not verify: the token was altered"


@ANCHORED
def test_timestamp_altered_message_digest_invalid(anchored: bool) -> None:
    check = _check_faulty(anchored, bad_digest=True)
    assert check.reason == "the messageDigest attribute does not match the TSTInfo: it was altered"


@ANCHORED
def test_timestamp_ess_binding_mismatch_invalid(anchored: bool) -> None:
    check = _check_faulty(anchored, ess="mismatch")
    assert check.reason == (
        "the ESS signingCertificate attribute does not name the signer's certificate: "
        "the signature is not bound to it"
    )


@ANCHORED
def test_timestamp_ess_attribute_missing_invalid(anchored: bool) -> None:
    check = _check_faulty(anchored, ess="absent")
    assert check.reason == (
        "the signer has no ESS signingCertificate attribute (RFC 3161 2.4.1 requires one)"
    )


@ANCHORED
@pytest.mark.parametrize(
    ("eku", "reason"),
    [
        (
            "code_signing",
            "the TSA certificate's extendedKeyUsage is codeSigning, not timeStamping alone "
            "(RFC 3161 2.3)",
        ),
        (
            "absent",
            "the TSA certificate has no extendedKeyUsage: it is not for timestamping "
            "(RFC 3161 2.3 wants timeStamping alone, critical)",
        ),
        (
            "non_critical",
            "the TSA certificate's extendedKeyUsage timeStamping is not critical (RFC 3161 2.3)",
        ),
        (
            "extra_known",
            "the TSA certificate's extendedKeyUsage is timeStamping, codeSigning, not "
            "timeStamping alone (RFC 3161 2.3)",
        ),
        (
            "extra_unknown",
            f"the TSA certificate's extendedKeyUsage is timeStamping, {UNKNOWN_PURPOSE_OID}, "
            "not timeStamping alone (RFC 3161 2.3)",
        ),
    ],
)
def test_timestamp_certificate_eku_wrong_invalid(anchored: bool, eku: str, reason: str) -> None:
    check = _check_faulty(anchored, eku=eku)
    assert check.reason == reason


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
    assert (check.valid, check.reason) == (
        False,
        f"the file is a refusal from the TSA (rejection: {REJECT_TEXT}), not a token",
    )


_NO_SIGNER = (
    "the signer certificate is not in the token (request it with certReq) "
    "nor among the trusted certificates"
)


def test_timestamp_token_without_certificate(tsa: LocalTSA) -> None:
    """Without certReq the token names its signer only: the trusted PEM must supply it."""
    token = _post_query(tsa.url, cert_req=False)
    assert verify_timestamp(token, DATA).reason == _NO_SIGNER
    pinned = verify_timestamp(token, DATA, trusted_cert_pem=tsa.tsa_cert_pem + tsa.ca_cert_pem)
    assert (pinned.valid, pinned.trusted, pinned.reason) == (True, True, None)
    # The CA alone cannot stand in for the missing TSA certificate, nor it alone for its root.
    assert verify_timestamp(token, DATA, trusted_cert_pem=tsa.ca_cert_pem).reason == _NO_SIGNER
    alone = verify_timestamp(token, DATA, trusted_cert_pem=tsa.tsa_cert_pem)
    assert alone.reason == _PINNED_ALONE


# -- request failures ------------------------------------------------------------------------


def _request_error(**fault: Any) -> tuple[str, str]:
    """The one-line message of a request to a TSA lying in one way, and the TSA's URL."""
    with LocalTSA(**fault) as lying:
        url = lying.url
        with pytest.raises(SiteError) as caught:
            request_timestamp(url, DATA, timeout_s=0.2 if "delay_s" in fault else 20)
    _assert_one_line(caught.value)
    return caught.value.message, url


def test_timestamp_rejected_request_raises() -> None:
    message, url = _request_error(reject=True)
    assert (
        message == f"The timestamp authority {url} refused the request (rejection): {REJECT_TEXT}."
    )


def test_timestamp_unreachable_raises() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/tsa"
    with pytest.raises(SiteError, match="unreachable") as caught:
        request_timestamp(url, DATA, timeout_s=5)
    _assert_one_line(caught.value)


def test_timestamp_wrong_nonce_raises() -> None:
    message, url = _request_error(wrong_nonce=True)
    assert message == (
        f"The timestamp authority {url} answered with the wrong nonce: "
        "the answer is not for this request (replayed or mixed up)."
    )


def test_timestamp_http_error_raises() -> None:
    message, url = _request_error(http_status=503)
    assert message == f"The timestamp authority {url} answered HTTP 503 Service Unavailable."


def test_timestamp_malformed_answer_raises() -> None:
    message, url = _request_error(garbage=True)
    assert message.startswith(
        f"The timestamp authority {url} sent a malformed answer: ASN.1 parse error"
    )


def test_timestamp_slow_tsa_times_out() -> None:
    message, url = _request_error(delay_s=1.5)
    assert message == f"The timestamp authority {url} did not answer within 0.2 s."


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


def test_timestamp_libraries_imported_lazily() -> None:
    """Neither rfc3161-client nor pyHanko is loaded until a token is asked for or checked."""
    code = (
        "import sys, cancelscout.cli.app, cancelscout.runs.finish, "
        "cancelscout.integrity.timestamp, cancelscout.integrity.verify; "
        "print(sorted(m for m in sys.modules if m.startswith(('rfc3161_client', 'pyhanko'))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "[]"
