"""The PDF report's PAdES signature and document timestamp, checked with pyHanko's own
validator (the CLI path is in test_capture_cli); the TSA is the local test TSA."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfWriter

from cancelscout.integrity.pdf_signing import (
    sign_pdf,
    timestamp_pdf,
    validate_pdf,
    validate_pdf_time,
)
from tsa_server import LocalTSA


@pytest.fixture
def tsa() -> Iterator[LocalTSA]:
    with LocalTSA() as server:
        yield server


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


def test_pdf_signature_and_document_timestamp_validate(tsa: LocalTSA) -> None:
    signed, certificate = sign_pdf(_blank_pdf(), Ed25519PrivateKey.generate(), reason="test")
    stamped = timestamp_pdf(signed, tsa.url)
    signature = validate_pdf(stamped, certificate)
    assert signature["ok"] and signature["trusted"] and signature["intact"]
    time = validate_pdf_time(stamped, _der(tsa.ca_cert_pem))
    assert time["stamped"] and time["ok"] and time["time"].startswith("20")
    # Another TSA's root does not vouch for this time.
    with LocalTSA() as other:
        assert validate_pdf_time(stamped, _der(other.ca_cert_pem))["ok"] is False
    # One changed byte in the signed range breaks both (the page is 201 wide, not 200) ...
    at = stamped.index(b"/MediaBox")
    tampered = stamped[:at] + stamped[at:].replace(b"200", b"201", 1)
    assert validate_pdf(tampered, certificate)["intact"] is False
    assert validate_pdf(tampered, certificate)["ok"] is False
    assert validate_pdf_time(tampered, _der(tsa.ca_cert_pem))["ok"] is False
    # ... and a byte that leaves the file unreadable is reported, not raised.
    at = stamped.index(b"/Contents <") + len(b"/Contents <")
    unreadable = stamped[:at] + b"G" + stamped[at + 1 :]
    assert validate_pdf(unreadable, certificate)["error"].startswith("unreadable PDF")
    assert validate_pdf_time(unreadable, _der(tsa.ca_cert_pem))["ok"] is False


def test_pdf_without_timestamp_says_so() -> None:
    signed, _ = sign_pdf(_blank_pdf(), Ed25519PrivateKey.generate(), reason="test")
    assert validate_pdf_time(signed, b"") == {"stamped": False, "ok": False}
