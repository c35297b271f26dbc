"""Checking an RFC 3161 token against the bytes it claims to timestamp, offline.

:func:`verify_timestamp` reads a whole ``TimeStampResp`` or a bare token ``ContentInfo`` and
walks it: the ``TSTInfo`` imprint must be the digest of the data, the one SignerInfo's signed
attributes must hold id-ct-TSTInfo, a ``messageDigest`` of the ``TSTInfo`` and an ESS
signing-certificate attribute naming the signer certificate, found in the token or among the
trusted certificates. The signature, key usage, validity and trust checks are
:mod:`timestamp_certs`'s. It never raises for a bad token: :class:`TimestampCheck` says whether
it is valid, why not, and what could be read (time, TSA, serial).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from asn1crypto import cms, core, tsp  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from cancelscout.integrity.timestamp_asn1 import (
    GRANTED,
    Invalid,
    TimeStampResp,
    digest,
    iso_utc,
    one_line,
    strict_der,
)
from cancelscout.integrity.timestamp_certs import check_signature, check_trust, check_tsa_cert


@dataclass(frozen=True)
class TimestampCheck:
    """The outcome of :func:`verify_timestamp`.

    ``gen_time`` (ISO 8601, UTC, ``Z``), ``tsa`` (the signer certificate's subject, RFC 4514)
    and ``serial`` are filled as far as the token could be read, also when it is invalid;
    ``reason`` says in one line why it is invalid, and is None when it is valid.
    """

    valid: bool
    gen_time: str
    tsa: str
    serial: int
    reason: str | None = None


@dataclass
class _Seen:
    gen_time: str = ""
    tsa: str = ""
    serial: int = 0


def verify_timestamp(
    token: bytes, data: bytes, *, trusted_cert_pem: bytes | None = None
) -> TimestampCheck:
    """Check an RFC 3161 token (a ``TimeStampResp``, or its bare ``ContentInfo``) over ``data``.

    The token must parse; its ``TSTInfo`` imprint must be the digest of ``data``; the one
    SignerInfo's signature over the signed attributes must verify with the embedded signer
    certificate (RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519, Ed448); the ``messageDigest``
    attribute must be the digest of the encapsulated ``TSTInfo``; the ESS signing-certificate
    attribute must name that certificate; the certificate must carry the extended key usage
    timeStamping and be valid at ``genTime``. With ``trusted_cert_pem`` (one or more PEM
    certificates), the signer certificate must be one of them or chain to one of them.

    Never raises for a bad token: the result says ``valid=False`` and why.
    """
    seen = _Seen()
    try:
        _verify(token, data, trusted_cert_pem, seen)
    except Invalid as exc:
        return TimestampCheck(False, seen.gen_time, seen.tsa, seen.serial, one_line(exc.reason))
    except Exception as exc:  # a hostile token must not crash `verify`
        reason = f"the token is malformed: {type(exc).__name__}: {exc}"
        return TimestampCheck(False, seen.gen_time, seen.tsa, seen.serial, one_line(reason))
    return TimestampCheck(True, seen.gen_time, seen.tsa, seen.serial, None)


def _load_token(token: bytes) -> Any:
    """The ``ContentInfo`` of the token, from a whole ``TimeStampResp`` or a bare token."""
    try:
        reply = TimeStampResp.load(token, strict=True)
        status = reply["status"]["status"].native
    except (ValueError, TypeError, KeyError):
        reply = None
    if reply is not None:
        if status not in GRANTED:
            texts = reply["status"]["status_string"].native or []
            said = "; ".join(str(text) for text in texts) or "no reason given"
            raise Invalid(f"the file is a refusal from the TSA ({status}: {said}), not a token")
        content_info = reply["time_stamp_token"]
        if isinstance(content_info, core.Void):
            raise Invalid("the TSA response holds no token")
        return content_info
    try:
        content_info = cms.ContentInfo.load(token, strict=True)
        content_info["content_type"].native  # noqa: B018 - forces the parse
    except (ValueError, TypeError, KeyError) as exc:
        raise Invalid(f"the file is not an RFC 3161 timestamp token ({exc})") from None
    return content_info


def _verify(token: bytes, data: bytes, trusted_cert_pem: bytes | None, seen: _Seen) -> None:
    content_info = _load_token(token)
    if content_info["content_type"].native != "signed_data":
        raise Invalid("the token is not CMS SignedData")
    if not strict_der(content_info.dump()):
        raise Invalid("the token is not strict DER (a length or a tag was altered)")
    signed_data = content_info["content"]
    if signed_data["version"].native != "v3":  # RFC 5652 5.1: eContent other than id-data
        raise Invalid("the SignedData version is not 3, as a TSTInfo token requires")
    encap = signed_data["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise Invalid("the token does not hold a TSTInfo")
    e_content = encap["content"]
    if isinstance(e_content, core.Void) or e_content is None:
        raise Invalid("the token's TSTInfo is missing")
    tst_der = bytes(e_content.contents)
    tst_info = tsp.TSTInfo.load(tst_der, strict=True)

    gen_time = cast(datetime, tst_info["gen_time"].native)
    seen.gen_time = iso_utc(gen_time)
    seen.serial = int(tst_info["serial_number"].native)

    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        raise Invalid(f"the token has {len(signer_infos)} signers instead of one")
    signer_info = signer_infos[0]
    # RFC 5652 5.3: version 1 with an issuer-and-serial signer id, 3 with a key identifier.
    expected_version = "v1" if signer_info["sid"].name == "issuer_and_serial_number" else "v3"
    if signer_info["version"].native != expected_version:
        raise Invalid(f"the SignerInfo version is not {expected_version} for its signer id")

    extra = _load_pems(trusted_cert_pem) if trusted_cert_pem is not None else []
    embedded = [
        choice.chosen
        for choice in signed_data["certificates"] or []
        if choice.name == "certificate"
    ]
    candidates = embedded + [
        asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in extra
    ]
    signer = _find_signer(signer_info["sid"], candidates)
    signer_cert = x509.load_der_x509_certificate(signer.dump())
    seen.tsa = signer_cert.subject.rfc4514_string()

    imprint = tst_info["message_imprint"]
    imprint_algo = str(imprint["hash_algorithm"]["algorithm"].native)
    if digest(imprint_algo, data) != imprint["hashed_message"].native:
        raise Invalid(
            "the message imprint does not match the data: the token was made for other bytes"
        )

    digest_algo = str(signer_info["digest_algorithm"]["algorithm"].native)
    listed = {str(algo["algorithm"].native) for algo in signed_data["digest_algorithms"]}
    if digest_algo not in listed:
        raise Invalid("the signer's digest algorithm is not among the token's digestAlgorithms")
    attributes = _signed_attributes(signer_info)
    if attributes.get("content_type") != ["tst_info"]:
        raise Invalid("the signed contentType attribute is not id-ct-TSTInfo")
    digests = attributes.get("message_digest")
    if not digests or len(digests) != 1:
        raise Invalid("the signed attributes have no single messageDigest")
    if digests[0] != digest(digest_algo, tst_der):
        raise Invalid("the messageDigest attribute does not match the TSTInfo: it was altered")
    _check_ess(attributes, signer)

    signed_bytes = b"\x31" + signer_info["signed_attrs"].dump()[1:]
    check_signature(signer_info, signer_cert, signed_bytes, digest_algo)

    check_tsa_cert(signer_cert, signer, gen_time)
    if trusted_cert_pem is not None:
        chain_pool = [x509.load_der_x509_certificate(c.dump()) for c in embedded]
        check_trust(signer_cert, extra, chain_pool)


def _load_pems(pem: bytes) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise Invalid(f"the trusted certificate PEM cannot be read ({exc})") from None
    if not certs:
        raise Invalid("the trusted certificate PEM holds no certificate")
    return certs


def _find_signer(sid: Any, candidates: list[Any]) -> Any:
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"]
        serial = sid.chosen["serial_number"].native
        for cert in candidates:
            if cert.serial_number == serial and cert.issuer == issuer:
                return cert
    elif sid.name == "subject_key_identifier":
        key_id = sid.chosen.native
        for cert in candidates:
            if cert.key_identifier == key_id:
                return cert
    raise Invalid(
        "the signer certificate is not in the token (request it with certReq) "
        "nor among the trusted certificates"
    )


def _signed_attributes(signer_info: Any) -> dict[str, list[Any]]:
    signed_attrs = signer_info["signed_attrs"]
    if isinstance(signed_attrs, core.Void) or len(signed_attrs) == 0:
        raise Invalid("the signer has no signed attributes")
    found: dict[str, list[Any]] = {}
    for attribute in signed_attrs:
        name = str(attribute["type"].native)
        if name in found:
            raise Invalid(f"the signed attribute {name} appears twice")
        values = attribute["values"]
        keep_structure = name.startswith("signing_certificate")
        found[name] = [value if keep_structure else value.native for value in values]
    return found


def _check_ess(attributes: dict[str, list[Any]], signer: Any) -> None:
    """RFC 3161 / RFC 5816: the signed ESS attribute binds the signature to the certificate."""
    if "signing_certificate_v2" in attributes:
        cert_ids = attributes["signing_certificate_v2"][0]["certs"]
        if len(cert_ids) == 0:
            raise Invalid("the signingCertificateV2 attribute names no certificate")
        first = cert_ids[0]
        algorithm = str(first["hash_algorithm"]["algorithm"].native)
        expected = digest(algorithm, signer.dump())
    elif "signing_certificate" in attributes:
        cert_ids = attributes["signing_certificate"][0]["certs"]
        if len(cert_ids) == 0:
            raise Invalid("the signingCertificate attribute names no certificate")
        first = cert_ids[0]
        expected = hashlib.sha1(signer.dump()).digest()
    else:
        raise Invalid("the signer has no ESS signingCertificate attribute")
    if first["cert_hash"].native != expected:
        raise Invalid("the ESS signingCertificate attribute names another certificate")
    issuer_serial = first["issuer_serial"]
    if (
        not isinstance(issuer_serial, core.Void)
        and issuer_serial.native is not None
        and issuer_serial["serial_number"].native != signer.serial_number
    ):
        raise Invalid("the ESS signingCertificate attribute names another serial number")
