"""The cryptographic checks of an RFC 3161 token's signer: signature, certificate and trust.

:func:`check_signature` verifies the SignerInfo's signature over the signed attributes with the
signer certificate's key (RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519, Ed448);
:func:`check_tsa_cert` requires the timeStamping extended key usage and validity at
``genTime``; :func:`check_trust` requires the signer certificate to be, or chain (through the
token's certificates) to, a certificate the user trusts. Each raises :class:`Invalid` with the
reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from cancelscout.integrity.timestamp_asn1 import Invalid, hash_for, iso_utc

_MAX_CHAIN = 6


def check_signature(
    signer_info: Any, cert: x509.Certificate, signed_bytes: bytes, digest_algo: str
) -> None:
    algorithm = signer_info["signature_algorithm"]
    signature = bytes(signer_info["signature"].native)
    try:
        kind = str(algorithm.signature_algo)
    except ValueError:
        raise Invalid(f"unsupported signature algorithm {algorithm['algorithm'].dotted}") from None
    try:
        hash_name = str(algorithm.hash_algo)
    except ValueError:  # e.g. plain rsaEncryption or ecdsa: the SignerInfo's digest applies
        hash_name = digest_algo
    public_key = cert.public_key()
    try:
        if kind == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_for(hash_name))
        elif kind == "rsassa_pss" and isinstance(public_key, rsa.RSAPublicKey):
            params = algorithm["parameters"]
            mgf_hash = str(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            pss = padding.PSS(
                mgf=padding.MGF1(hash_for(mgf_hash)),
                salt_length=int(params["salt_length"].native),
            )
            public_key.verify(signature, signed_bytes, pss, hash_for(hash_name))
        elif kind == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, signed_bytes, ec.ECDSA(hash_for(hash_name)))
        elif (kind == "ed25519" and isinstance(public_key, ed25519.Ed25519PublicKey)) or (
            kind == "ed448" and isinstance(public_key, ed448.Ed448PublicKey)
        ):
            public_key.verify(signature, signed_bytes)
        else:
            raise Invalid(
                f"the signature algorithm {kind} does not fit the signer's "
                f"{type(public_key).__name__.removeprefix('_')} or is not supported"
            )
    except InvalidSignature:
        raise Invalid("the TSA signature does not verify: the token was altered") from None
    except UnsupportedAlgorithm as exc:
        raise Invalid(f"the signature cannot be checked here: {exc}") from None


def check_tsa_cert(cert: x509.Certificate, asn1_cert: Any, gen_time: datetime) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise Invalid(
            "the signer certificate is not for timestamping (no extendedKeyUsage timeStamping)"
        )
    validity = asn1_cert["tbs_certificate"]["validity"]
    not_before = cast(datetime, validity["not_before"].native)
    not_after = cast(datetime, validity["not_after"].native)
    if not not_before <= gen_time <= not_after:
        raise Invalid(
            f"the TSA certificate was not valid at genTime {iso_utc(gen_time)} "
            f"(valid {iso_utc(not_before)} to {iso_utc(not_after)})"
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


def check_trust(
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
    raise Invalid(
        f"the TSA certificate ({signer.subject.rfc4514_string()}) is not the trusted "
        "certificate nor issued by it"
    )
