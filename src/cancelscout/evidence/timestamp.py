"""RFC 3161 trusted timestamps over the bytes of an evidence bundle's ``manifest.json``.

:func:`request_timestamp` asks a timestamp authority (TSA) to sign the SHA-256 of some bytes
and returns the DER of its whole ``TimeStampResp``; the bundle keeps it as ``timestamp.tsr``
(the same file ``openssl ts -reply`` writes, so ``openssl ts -verify -in timestamp.tsr`` reads
it). :func:`verify_timestamp` checks such a token against the bytes offline: imprint, CMS
signature, ``messageDigest``, the ESS signing-certificate binding, the timeStamping key usage
and, when asked, that the TSA certificate is, or chains to, a certificate the user trusts.

ASN.1 is read and written with asn1crypto; signatures are checked with cryptography. Neither
function touches anything but the TSA URL it is given.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar, cast

from asn1crypto import cms, core, tsp  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from cancelscout.errors import SiteError

QUERY_CONTENT_TYPE = "application/timestamp-query"
REPLY_CONTENT_TYPE = "application/timestamp-reply"
# A TimeStampResp with a certificate or two is a few KiB; anything near this is not one.
_MAX_RESPONSE = 1 << 20
_GRANTED = frozenset({"granted", "granted_with_mods"})
_MAX_CHAIN = 6

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}


class _TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 TimeStampResp. asn1crypto's own makes the token mandatory, but a TSA that
    refuses a request answers with the status alone."""

    _fields: ClassVar[list[Any]] = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


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


class _Invalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Seen:
    gen_time: str = ""
    tsa: str = ""
    serial: int = 0


def _one_line(text: object, limit: int = 300) -> str:
    flat = re.sub(r"\s+", " ", str(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _digest(algorithm: str, data: bytes) -> bytes:
    if algorithm not in _HASHES:
        raise _Invalid(f"unsupported digest algorithm {algorithm}")
    return hashlib.new(algorithm.replace("_", "-"), data).digest()


# --------------------------------------------------------------------------------------------
# Requesting


def request_timestamp(url: str, data: bytes, *, timeout_s: float = 20) -> bytes:
    """Timestamp ``data`` at the TSA ``url``; return the DER of the TSA's ``TimeStampResp``.

    Sends a version 1 ``TimeStampReq`` with the SHA-256 of ``data``, a random nonce and
    ``certReq`` set. The answer must be HTTP 200, a well-formed response with status granted
    (or granted with modifications) whose ``TSTInfo`` echoes the nonce and the imprint. The
    signature is not checked here: that is :func:`verify_timestamp`'s job.

    Raises :class:`SiteError` with a one-line message when the TSA is unreachable, answers
    with an HTTP error, refuses the request (with its status text) or answers nonsense.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise SiteError(
            f"The timestamp authority URL must start with http:// or https://: {url!r}."
        )
    imprint = hashlib.sha256(data).digest()
    nonce = secrets.randbits(63) | 1
    query = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": imprint,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    ).dump()
    body = _post(url, query, timeout_s)
    _check_reply(url, body, imprint, nonce)
    return body


def _post(url: str, query: bytes, timeout_s: float) -> bytes:
    request = urllib.request.Request(
        url,
        data=query,
        method="POST",
        headers={
            "Content-Type": QUERY_CONTENT_TYPE,
            "Accept": REPLY_CONTENT_TYPE,
            "User-Agent": "cancelscout",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            status = int(answer.status)
            body = cast(bytes, answer.read(_MAX_RESPONSE + 1))
    except urllib.error.HTTPError as exc:
        raise SiteError(
            f"The timestamp authority {url} answered HTTP {exc.code} {_one_line(exc.reason)}."
        ) from None
    except urllib.error.URLError as exc:
        raise SiteError(
            f"The timestamp authority {url} is unreachable: {_one_line(exc.reason)}."
        ) from None
    except TimeoutError:
        raise SiteError(
            f"The timestamp authority {url} did not answer within {timeout_s:g} s."
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise SiteError(
            f"The timestamp authority {url} is unreachable: {_one_line(exc) or type(exc).__name__}."
        ) from None
    if status != 200:
        raise SiteError(f"The timestamp authority {url} answered HTTP {status} instead of 200.")
    if len(body) > _MAX_RESPONSE:
        raise SiteError(f"The timestamp authority {url} sent an answer too large to be a token.")
    return body


def _check_reply(url: str, body: bytes, imprint: bytes, nonce: int) -> None:
    def malformed(why: str) -> SiteError:
        return SiteError(f"The timestamp authority {url} sent a malformed answer: {why}.")

    try:
        reply = _TimeStampResp.load(body, strict=True)
        status_info = reply["status"]
        status = str(status_info["status"].native)
        texts = status_info["status_string"].native or []
        failures = status_info["fail_info"].native or set()
    except Exception as exc:  # asn1crypto raises many kinds on hostile bytes
        raise malformed(_one_line(exc, 160)) from None
    if status not in _GRANTED:
        said = "; ".join(str(text) for text in texts) or "no reason given"
        detail = f" [{', '.join(sorted(str(f) for f in failures))}]" if failures else ""
        raise SiteError(
            f"The timestamp authority {url} refused the request ({status}): "
            f"{_one_line(said, 200)}{detail}."
        )
    try:
        token = reply["time_stamp_token"]
        if isinstance(token, core.Void):
            raise malformed("status granted but no token")
        if token["content_type"].native != "signed_data":
            raise malformed("the token is not CMS SignedData")
        encap = token["content"]["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise malformed("the token does not hold a TSTInfo")
        tst_info = encap["content"].parsed
        echoed_nonce = tst_info["nonce"].native
        algorithm = tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native
        echoed = tst_info["message_imprint"]["hashed_message"].native
        tst_info["gen_time"].native  # noqa: B018 - parses the time now, not at verify time
    except SiteError:
        raise
    except Exception as exc:
        raise malformed(_one_line(exc, 160)) from None
    if echoed_nonce != nonce:
        raise SiteError(
            f"The timestamp authority {url} answered with the wrong nonce: "
            "the answer is not for this request (replayed or mixed up)."
        )
    if algorithm != "sha256" or echoed != imprint:
        raise SiteError(
            f"The timestamp authority {url} timestamped other data: "
            "the message imprint in its answer is not the one sent."
        )


# --------------------------------------------------------------------------------------------
# Verifying


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
    except _Invalid as exc:
        return TimestampCheck(False, seen.gen_time, seen.tsa, seen.serial, _one_line(exc.reason))
    except Exception as exc:  # a hostile token must not crash `verify`
        reason = f"the token is malformed: {type(exc).__name__}: {exc}"
        return TimestampCheck(False, seen.gen_time, seen.tsa, seen.serial, _one_line(reason))
    return TimestampCheck(True, seen.gen_time, seen.tsa, seen.serial, None)


def _load_token(token: bytes) -> Any:
    """The ``ContentInfo`` of the token, from a whole ``TimeStampResp`` or a bare token."""
    try:
        reply = _TimeStampResp.load(token, strict=True)
        status = reply["status"]["status"].native
    except (ValueError, TypeError, KeyError):
        reply = None
    if reply is not None:
        if status not in _GRANTED:
            texts = reply["status"]["status_string"].native or []
            said = "; ".join(str(text) for text in texts) or "no reason given"
            raise _Invalid(f"the file is a refusal from the TSA ({status}: {said}), not a token")
        content_info = reply["time_stamp_token"]
        if isinstance(content_info, core.Void):
            raise _Invalid("the TSA response holds no token")
        return content_info
    try:
        content_info = cms.ContentInfo.load(token, strict=True)
        content_info["content_type"].native  # noqa: B018 - forces the parse
    except (ValueError, TypeError, KeyError) as exc:
        raise _Invalid(f"the file is not an RFC 3161 timestamp token ({exc})") from None
    return content_info


def _verify(token: bytes, data: bytes, trusted_cert_pem: bytes | None, seen: _Seen) -> None:
    content_info = _load_token(token)
    if content_info["content_type"].native != "signed_data":
        raise _Invalid("the token is not CMS SignedData")
    signed_data = content_info["content"]
    encap = signed_data["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise _Invalid("the token does not hold a TSTInfo")
    e_content = encap["content"]
    if isinstance(e_content, core.Void) or e_content is None:
        raise _Invalid("the token's TSTInfo is missing")
    tst_der = bytes(e_content.contents)
    tst_info = tsp.TSTInfo.load(tst_der, strict=True)

    gen_time = cast(datetime, tst_info["gen_time"].native)
    seen.gen_time = _iso_utc(gen_time)
    seen.serial = int(tst_info["serial_number"].native)

    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        raise _Invalid(f"the token has {len(signer_infos)} signers instead of one")
    signer_info = signer_infos[0]

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
    if _digest(imprint_algo, data) != imprint["hashed_message"].native:
        raise _Invalid(
            "the message imprint does not match the data: the token was made for other bytes"
        )

    digest_algo = str(signer_info["digest_algorithm"]["algorithm"].native)
    attributes = _signed_attributes(signer_info)
    if attributes.get("content_type") != ["tst_info"]:
        raise _Invalid("the signed contentType attribute is not id-ct-TSTInfo")
    digests = attributes.get("message_digest")
    if not digests or len(digests) != 1:
        raise _Invalid("the signed attributes have no single messageDigest")
    if digests[0] != _digest(digest_algo, tst_der):
        raise _Invalid("the messageDigest attribute does not match the TSTInfo: it was altered")
    _check_ess(attributes, signer)

    signed_bytes = b"\x31" + signer_info["signed_attrs"].dump()[1:]
    _check_signature(signer_info, signer_cert, signed_bytes, digest_algo)

    _check_tsa_cert(signer_cert, signer, gen_time)
    if trusted_cert_pem is not None:
        chain_pool = [x509.load_der_x509_certificate(c.dump()) for c in embedded]
        _check_trust(signer_cert, extra, chain_pool)


def _load_pems(pem: bytes) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise _Invalid(f"the trusted certificate PEM cannot be read ({exc})") from None
    if not certs:
        raise _Invalid("the trusted certificate PEM holds no certificate")
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
    raise _Invalid(
        "the signer certificate is not in the token (request it with certReq) "
        "nor among the trusted certificates"
    )


def _signed_attributes(signer_info: Any) -> dict[str, list[Any]]:
    signed_attrs = signer_info["signed_attrs"]
    if isinstance(signed_attrs, core.Void) or len(signed_attrs) == 0:
        raise _Invalid("the signer has no signed attributes")
    found: dict[str, list[Any]] = {}
    for attribute in signed_attrs:
        name = str(attribute["type"].native)
        if name in found:
            raise _Invalid(f"the signed attribute {name} appears twice")
        values = attribute["values"]
        keep_structure = name.startswith("signing_certificate")
        found[name] = [value if keep_structure else value.native for value in values]
    return found


def _check_ess(attributes: dict[str, list[Any]], signer: Any) -> None:
    """RFC 3161 / RFC 5816: the signed ESS attribute binds the signature to the certificate."""
    if "signing_certificate_v2" in attributes:
        cert_ids = attributes["signing_certificate_v2"][0]["certs"]
        if len(cert_ids) == 0:
            raise _Invalid("the signingCertificateV2 attribute names no certificate")
        first = cert_ids[0]
        algorithm = str(first["hash_algorithm"]["algorithm"].native)
        expected = _digest(algorithm, signer.dump())
    elif "signing_certificate" in attributes:
        cert_ids = attributes["signing_certificate"][0]["certs"]
        if len(cert_ids) == 0:
            raise _Invalid("the signingCertificate attribute names no certificate")
        first = cert_ids[0]
        expected = hashlib.sha1(signer.dump()).digest()
    else:
        raise _Invalid("the signer has no ESS signingCertificate attribute")
    if first["cert_hash"].native != expected:
        raise _Invalid("the ESS signingCertificate attribute names another certificate")
    issuer_serial = first["issuer_serial"]
    if (
        not isinstance(issuer_serial, core.Void)
        and issuer_serial.native is not None
        and issuer_serial["serial_number"].native != signer.serial_number
    ):
        raise _Invalid("the ESS signingCertificate attribute names another serial number")


def _hash_for(name: str) -> hashes.HashAlgorithm:
    if name not in _HASHES:
        raise _Invalid(f"unsupported digest algorithm {name}")
    return _HASHES[name]()


def _check_signature(
    signer_info: Any, cert: x509.Certificate, signed_bytes: bytes, digest_algo: str
) -> None:
    algorithm = signer_info["signature_algorithm"]
    signature = bytes(signer_info["signature"].native)
    try:
        kind = str(algorithm.signature_algo)
    except ValueError:
        raise _Invalid(f"unsupported signature algorithm {algorithm['algorithm'].dotted}") from None
    try:
        hash_name = str(algorithm.hash_algo)
    except ValueError:  # e.g. plain rsaEncryption or ecdsa: the SignerInfo's digest applies
        hash_name = digest_algo
    public_key = cert.public_key()
    try:
        if kind == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), _hash_for(hash_name))
        elif kind == "rsassa_pss" and isinstance(public_key, rsa.RSAPublicKey):
            params = algorithm["parameters"]
            mgf_hash = str(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            pss = padding.PSS(
                mgf=padding.MGF1(_hash_for(mgf_hash)),
                salt_length=int(params["salt_length"].native),
            )
            public_key.verify(signature, signed_bytes, pss, _hash_for(hash_name))
        elif kind == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, signed_bytes, ec.ECDSA(_hash_for(hash_name)))
        elif (kind == "ed25519" and isinstance(public_key, ed25519.Ed25519PublicKey)) or (
            kind == "ed448" and isinstance(public_key, ed448.Ed448PublicKey)
        ):
            public_key.verify(signature, signed_bytes)
        else:
            raise _Invalid(
                f"the signature algorithm {kind} does not fit the signer's "
                f"{type(public_key).__name__.removeprefix('_')} or is not supported"
            )
    except InvalidSignature:
        raise _Invalid("the TSA signature does not verify: the token was altered") from None
    except UnsupportedAlgorithm as exc:
        raise _Invalid(f"the signature cannot be checked here: {exc}") from None


def _check_tsa_cert(cert: x509.Certificate, asn1_cert: Any, gen_time: datetime) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise _Invalid(
            "the signer certificate is not for timestamping (no extendedKeyUsage timeStamping)"
        )
    validity = asn1_cert["tbs_certificate"]["validity"]
    not_before = cast(datetime, validity["not_before"].native)
    not_after = cast(datetime, validity["not_after"].native)
    if not not_before <= gen_time <= not_after:
        raise _Invalid(
            f"the TSA certificate was not valid at genTime {_iso_utc(gen_time)} "
            f"(valid {_iso_utc(not_before)} to {_iso_utc(not_after)})"
        )


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    if not _is_ca(issuer):
        return False
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _check_trust(
    signer: x509.Certificate, anchors: list[x509.Certificate], pool: list[x509.Certificate]
) -> None:
    current = signer
    for _ in range(_MAX_CHAIN):
        if any(current == anchor for anchor in anchors):
            return
        if any(_issued_by(current, anchor) for anchor in anchors):
            return
        parent = next((c for c in pool if c != current and _issued_by(current, c)), None)
        if parent is None:
            break
        current = parent
    raise _Invalid(
        f"the TSA certificate ({signer.subject.rfc4514_string()}) is not the trusted "
        "certificate nor issued by it"
    )
