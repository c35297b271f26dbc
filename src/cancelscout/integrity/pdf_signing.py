"""A PAdES signature on a PDF report, with the user's Ed25519 key (``cancelscout keygen``) in a
self-issued certificate, so any PDF reader shows who signed and that nothing changed since.

The certificate is made from the key each time (subject: "cancelscout user", the key's
fingerprint); a reader trusts it once the person checking has compared the fingerprint with the
one the user gave them — the same trust model as the bundle's ``manifest.sig``. Signing and
validation are pyHanko's (imported only by runs that sign a PDF).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from cancelscout.integrity.signing import fingerprint

FIELD = "cancelscout"
T = TypeVar("T")


def _in_own_thread(work: Callable[[], T]) -> T:
    """pyHanko runs its own asyncio loop; a thread of its own keeps it clear of any loop the
    caller's thread runs (Playwright's sync API keeps one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def self_issued_certificate(key: Ed25519PrivateKey) -> x509.Certificate:
    """A certificate for ``key`` issued by itself, for document signing, valid ten years."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "cancelscout user"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, fingerprint(key.public_key())[:64]),
        ]
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, None)
    )


def sign_pdf(pdf: bytes, key: Ed25519PrivateKey, *, reason: str) -> tuple[bytes, bytes]:
    """``pdf`` with a PAdES signature by ``key``; also returns the certificate (DER) used."""
    from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate = self_issued_certificate(key).public_bytes(serialization.Encoding.DER)
    private = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(private),
        cert_registry=SimpleCertificateStore(),  # type: ignore[no-untyped-call]
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, reason=reason, subfilter=fields.SigSeedSubFilter.PADES
    )
    signed = _in_own_thread(
        lambda: signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    )
    return signed.getvalue(), certificate


def timestamp_pdf(pdf: bytes, tsa_url: str) -> bytes:
    """``pdf`` with a document timestamp (RFC 3161, from ``tsa_url``) over everything before
    it, the signature included: a trusted time for the signed report."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import timestamps
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    stamper = PdfTimeStamper(timestamps.HTTPTimeStamper(tsa_url))
    stamped = _in_own_thread(
        lambda: stamper.timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256")
    )
    return bytes(stamped.getvalue())


def validate_pdf_time(pdf: bytes, tsa_root: bytes) -> dict[str, Any]:
    """pyHanko's validation of the document timestamp in ``pdf`` against the TSA's root
    certificate ``tsa_root`` (DER): ok, and the time it attests."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        stamps = [
            s for s in reader.embedded_signatures if s.sig_object.get("/Type") == "/DocTimeStamp"
        ]
        if not stamps:
            return {"stamped": False, "ok": False}
        context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(tsa_root)])
        status = _in_own_thread(
            lambda: validate_pdf_timestamp(stamps[-1], validation_context=context)
        )
    except PdfError as exc:  # a changed byte can leave the file unreadable: not valid either
        return {"stamped": False, "ok": False, "error": f"unreadable PDF: {exc}"}
    return {
        "stamped": True,
        "ok": bool(status.intact and status.valid and status.trusted),
        "time": status.timestamp.isoformat(),
    }


def validate_pdf(pdf: bytes, certificate: bytes) -> dict[str, Any]:
    """pyHanko's validation of the signature in ``pdf`` against ``certificate`` as the trust
    root: intact (no byte changed in the signed range), valid (the signature checks), trusted
    (signed by that certificate) and whether the whole file is covered."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        if not reader.embedded_signatures:
            return {"signed": False, "ok": False}
        context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(certificate)])
        status = _in_own_thread(
            lambda: validate_pdf_signature(reader.embedded_signatures[0], context)
        )
    except PdfError as exc:  # a changed byte can leave the file unreadable: not valid either
        return {"signed": False, "ok": False, "error": f"unreadable PDF: {exc}"}
    return {
        "signed": True,
        "intact": bool(status.intact),
        "valid": bool(status.valid),
        "trusted": bool(status.trusted),
        "coverage": str(status.coverage),
        "ok": bool(status.bottom_line),
    }
