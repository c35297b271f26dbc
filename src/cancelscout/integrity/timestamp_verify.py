"""Checking an RFC 3161 token against the bytes it claims to timestamp, offline.

:func:`verify_timestamp` leaves every check it can to two vetted libraries, imported only here:

- rfc3161-client (Trail of Bits; sigstore's verifier) reads the response in strict DER and,
  given trust anchors, verifies the token (:func:`timestamp_certs.check_trust`): signature and
  ``messageDigest`` (OpenSSL's ``PKCS7_verify``), the TSA certificate's chain to a given root
  *at genTime* under OpenSSL's timestamp-signing purpose, a critical timeStamping EKU, status
  granted, one signer, the pinned TSA certificate, the expected policy, the imprint;
- pyHanko's CMS validator (``validate_sig_integrity``) checks on every token what
  rfc3161-client does not: the ESS signingCertificate(V2) binding of the signature to the
  signer certificate (its hash and issuer/serial), and, so that a token read *without* an
  anchor is still checked for being whole, the signed contentType, the signature and the
  ``messageDigest``.

Checked by hand, each because neither library does it: that the ESS attribute is there at all
(RFC 3161 2.4.1 requires it; pyHanko takes it as optional), that the EKU is timeStamping
*alone* and critical (:func:`timestamp_certs.check_usage`), the imprint (rfc3161-client
compares it too, but only with an anchor), and the fields no signature covers (the
SignedData and SignerInfo versions, which neither library reads, and the signer's digest
algorithm among ``digestAlgorithms``, which OpenSSL reads only with an anchor), so that no
byte of a stored token changes unnoticed. Not checked: revocation (no CRL or OCSP; ``verify``
is offline), and the nonce, which only the requester knows (:mod:`timestamp_request` compares
it).

Limits that come with rfc3161-client: a trust anchor must be a self-signed certificate (a TSA
certificate alone is pinned, not trusted: give its root too); a signer named by key identifier
instead of issuer and serial, and a status grantedWithMods, are refused; imprints are SHA-256,
SHA-384 or SHA-512.

It never raises for a bad token: :class:`TimestampCheck` says whether it is valid, whether its
TSA is trusted, why not, and what could be read (time, TSA, serial).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from cancelscout.integrity.timestamp_certs import check_trust, check_usage
from cancelscout.integrity.timestamp_common import Invalid, iso_utc, one_line

if TYPE_CHECKING:
    from rfc3161_client import TimeStampResponse

# The imprint algorithms rfc3161-client verifies (SHA-256, SHA-384, SHA-512), by OID.
_IMPRINT_HASHES: dict[str, Callable[[bytes], Any]] = {
    "2.16.840.1.101.3.4.2.1": hashlib.sha256,
    "2.16.840.1.101.3.4.2.2": hashlib.sha384,
    "2.16.840.1.101.3.4.2.3": hashlib.sha512,
}


@dataclass(frozen=True)
class TimestampCheck:
    """The outcome of :func:`verify_timestamp`.

    ``gen_time`` (ISO 8601, UTC, ``Z``), ``tsa`` (the signer certificate's subject, RFC 4514)
    and ``serial`` are filled as far as the token could be read, also when it is invalid;
    ``reason`` says in one line why it is invalid, and is None when it is valid. ``trusted``
    is True only for a valid token whose TSA rfc3161-client verified against the trusted
    certificates given; a valid token checked without them is whole but *untrusted*.
    """

    valid: bool
    gen_time: str
    tsa: str
    serial: int
    reason: str | None = None
    trusted: bool = False


@dataclass
class _Seen:
    gen_time: str = ""
    tsa: str = ""
    serial: int = 0


def verify_timestamp(
    token: bytes,
    data: bytes,
    *,
    trusted_cert_pem: bytes | None = None,
    policy: str | None = None,
) -> TimestampCheck:
    """Check an RFC 3161 token (a ``TimeStampResp``, or its bare ``ContentInfo``) over ``data``.

    Always: the token parses (strict DER) as a granted response with one signer whose
    certificate is in the token or among the trusted certificates; its imprint is the digest of
    ``data``; the signature, ``messageDigest``, contentType and ESS signing-certificate
    attributes check out (pyHanko); the certificate's extendedKeyUsage is timeStamping alone,
    critical. With ``trusted_cert_pem`` (one or more PEM certificates): rfc3161-client verifies
    the token against them as roots, the chain valid at ``genTime``, and then it is
    ``trusted``; ``policy`` (a dotted OID, only with ``trusted_cert_pem``) is the TSA policy
    the token must name.

    Never raises for a bad token: the result says ``valid=False`` and why.
    """
    if policy is not None and trusted_cert_pem is None:
        raise ValueError("a TSA policy is checked only with trusted certificates")
    seen = _Seen()
    try:
        _verify(token, data, trusted_cert_pem, policy, seen)
    except Invalid as exc:
        return TimestampCheck(False, seen.gen_time, seen.tsa, seen.serial, one_line(exc.reason))
    except Exception as exc:  # a hostile token must not crash `verify`
        reason = f"the token is malformed: {type(exc).__name__}: {exc}"
        return TimestampCheck(False, seen.gen_time, seen.tsa, seen.serial, one_line(reason))
    trusted = trusted_cert_pem is not None
    return TimestampCheck(True, seen.gen_time, seen.tsa, seen.serial, None, trusted)


def _verify(
    token: bytes, data: bytes, trusted_cert_pem: bytes | None, policy: str | None, seen: _Seen
) -> None:
    anchors = _load_pems(trusted_cert_pem) if trusted_cert_pem is not None else None
    response = _load_response(token)
    tst_info = response.tst_info
    seen.gen_time = iso_utc(tst_info.gen_time)
    seen.serial = int(tst_info.serial_number)
    signer = _find_signer(response, anchors or [])
    seen.tsa = signer.subject.rfc4514_string()
    _check_imprint(response, data)
    _check_cms(response, signer)
    check_usage(signer)
    if anchors is not None:
        check_trust(response, data, anchors, signer, policy)


def _load_pems(pem: bytes) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise Invalid(f"the trusted certificate PEM cannot be read ({exc})") from None
    if not certs:
        raise Invalid("the trusted certificate PEM holds no certificate")
    return certs


def _load_response(token: bytes) -> TimeStampResponse:
    """rfc3161-client's reading of a whole ``TimeStampResp``, or of a bare token wrapped in
    one; a refusal or a response without a token is not a token."""
    from rfc3161_client import PKIStatus, decode_timestamp_response

    try:
        response = decode_timestamp_response(token)
    except ValueError as exc:
        try:
            response = decode_timestamp_response(_as_response(token))
        except Exception:  # asn1crypto raises many kinds on hostile bytes
            raise Invalid(
                f"the file is not an RFC 3161 timestamp response or token ({one_line(exc, 160)})"
            ) from None
    if response.status == PKIStatus.GRANTED_WITH_MODS:
        raise Invalid("the TSA granted it with modifications, and only status granted is verified")
    if response.status != PKIStatus.GRANTED:
        said = "; ".join(response.status_string) or "no reason given"
        status = next((s.name.lower() for s in PKIStatus if s == response.status), "unknown")
        raise Invalid(f"the file is a refusal from the TSA ({status}: {said}), not a token")
    try:
        response.tst_info  # noqa: B018 - a granted status without a token fails here
    except ValueError:
        raise Invalid("the TSA response holds no token") from None
    return response


def _as_response(token: bytes) -> bytes:
    """A bare token (``openssl ts -token_out``) as the granted ``TimeStampResp`` it came in."""
    from asn1crypto import cms, tsp  # type: ignore[import-untyped]

    content_info = cms.ContentInfo.load(token, strict=True)
    reply = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": content_info})
    return bytes(reply.dump())


def _find_signer(response: TimeStampResponse, extra: list[x509.Certificate]) -> x509.Certificate:
    signer_infos = response.signed_data.signer_infos
    if len(signer_infos) != 1:
        raise Invalid(f"the token has {len(signer_infos)} signers instead of one")
    (info,) = signer_infos
    embedded = [x509.load_der_x509_certificate(der) for der in response.signed_data.certificates]
    for cert in [*embedded, *extra]:
        if cert.issuer == info.issuer and cert.serial_number == info.serial_number:
            return cert
    raise Invalid(
        "the signer certificate is not in the token (request it with certReq) "
        "nor among the trusted certificates"
    )


def _check_imprint(response: TimeStampResponse, data: bytes) -> None:
    imprint = response.tst_info.message_imprint
    hasher = _IMPRINT_HASHES.get(imprint.hash_algorithm.dotted_string)
    if hasher is None:
        raise Invalid(
            f"the message imprint uses {imprint.hash_algorithm.dotted_string}, not SHA-256, "
            "SHA-384 or SHA-512"
        )
    if hasher(data).digest() != imprint.message:
        raise Invalid(
            "the message imprint does not match the data: the token was made for other bytes"
        )


def _check_cms(response: TimeStampResponse, signer: x509.Certificate) -> None:
    """pyHanko's check of the SignerInfo (ESS binding, contentType, signature, messageDigest),
    and the unsigned fields neither library reads."""
    from asn1crypto import cms, core
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import hashes
    from pyhanko.sign.ades.report import AdESIndeterminate
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.generic_cms import get_signing_cert_attr, validate_sig_integrity
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    signed_data = cms.ContentInfo.load(response.time_stamp_token(), strict=True)["content"]
    (signer_info,) = signed_data["signer_infos"]
    _check_structure(signed_data, signer_info)
    digest_algorithm = str(signer_info["digest_algorithm"]["algorithm"].native)
    digest = hashes.Hash(get_pyca_cryptography_hash(digest_algorithm))
    digest.update(bytes(signed_data["encap_content_info"]["content"]))
    certificate = asn1_x509.Certificate.load(signer.public_bytes(Encoding.DER))
    signed_attrs = signer_info["signed_attrs"]
    if isinstance(signed_attrs, core.Void) or len(signed_attrs) == 0:
        raise Invalid("the signer has no signed attributes")
    try:
        ess = get_signing_cert_attr(signed_attrs)
    except SignatureValidationError as exc:
        raise Invalid(f"the ESS signingCertificate attribute is malformed: {_said(exc)}") from None
    if ess is None:
        raise Invalid(
            "the signer has no ESS signingCertificate attribute (RFC 3161 2.4.1 requires one)"
        )
    try:
        intact, valid = validate_sig_integrity(
            signer_info, certificate, "tst_info", digest.finalize()
        )
    except SignatureValidationError as exc:
        if exc.ades_subindication == AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND:
            raise Invalid(
                "the ESS signingCertificate attribute does not name the signer's certificate: "
                "the signature is not bound to it"
            ) from None
        raise Invalid(f"pyHanko refused the signature: {_said(exc)}") from None
    if not valid:
        raise Invalid("the TSA signature does not verify: the token was altered")
    if not intact:
        raise Invalid("the messageDigest attribute does not match the TSTInfo: it was altered")


def _said(exc: Exception) -> str:
    """pyHanko's message without the AdES indication it appends."""
    return str(getattr(exc, "failure_message", exc)).split(" [", 1)[0]


def _check_structure(signed_data: Any, signer_info: Any) -> None:
    """Fields no signature covers: the versions, which neither library reads, and the
    ``digestAlgorithms``, which only OpenSSL reads, with an anchor. Without this, changing one
    of them would go unnoticed."""
    if signed_data["version"].native != "v3":  # RFC 5652 5.1: eContent other than id-data
        raise Invalid("the SignedData version is not 3, as a TSTInfo token requires")
    if signer_info["version"].native != "v1":  # RFC 5652 5.3: an issuer-and-serial signer id
        raise Invalid("the SignerInfo version is not 1, as its issuer-and-serial signer id needs")
    listed = {algorithm["algorithm"].native for algorithm in signed_data["digest_algorithms"]}
    if signer_info["digest_algorithm"]["algorithm"].native not in listed:
        raise Invalid("the signer's digest algorithm is not among the token's digestAlgorithms")
