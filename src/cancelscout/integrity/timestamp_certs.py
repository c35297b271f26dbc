"""The TSA certificate of an RFC 3161 token: its key usage, and its trust, by rfc3161-client.

:func:`check_trust` hands the token to rfc3161-client's ``Verifier`` with the user's
certificates as its roots: OpenSSL's ``PKCS7_verify`` checks the signature and the
``messageDigest``, builds the TSA certificate's chain to a self-signed root among them and
validates it *at the token's genTime* under OpenSSL's timestamp-signing purpose (a critical
extendedKeyUsage timeStamping, no other known purpose, a fitting keyUsage, CA constraints);
then the library checks the status, one signer, the critical timeStamping EKU, the pinned TSA
certificate (a token that carries none is checked against the one given), the policy when one
is expected, and the message imprint. Its refusals are put in words here.

:func:`check_usage` is the one certificate check kept by hand, because neither library makes it
whole: RFC 3161 2.3 wants *exactly one* KeyPurposeId, id-kp-timeStamping, in a *critical*
extension. OpenSSL's purpose lets an unknown extra KeyPurposeId through, pyHanko ignores
criticality and extra purposes, and rfc3161-client runs only with a trust anchor; this runs on
every token, so a token without an anchor is still refused for a certificate that is not a
TSA's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from cancelscout.integrity.timestamp_common import Invalid, iso_utc, one_line

if TYPE_CHECKING:
    from rfc3161_client import TimeStampResponse

# OpenSSL's words for a chain that was not valid at the verification time.
_NOT_VALID_THEN = ("certificate has expired", "certificate is not yet valid")
# The key purposes cryptography knows, named as RFC 5280 spells them (CODE_SIGNING: codeSigning).
_PURPOSE_NAMES = {
    oid: "".join(word.title() if i else word for i, word in enumerate(name.lower().split("_")))
    for name, oid in vars(ExtendedKeyUsageOID).items()
    if name.isupper()
}


def check_usage(cert: x509.Certificate) -> None:
    """RFC 3161 2.3: one critical extendedKeyUsage extension holding id-kp-timeStamping only."""
    try:
        extension = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise Invalid(
            "the TSA certificate has no extendedKeyUsage: it is not for timestamping "
            "(RFC 3161 2.3 wants timeStamping alone, critical)"
        ) from None
    purposes = list(extension.value)
    if purposes != [ExtendedKeyUsageOID.TIME_STAMPING]:
        names = ", ".join(_PURPOSE_NAMES.get(oid, oid.dotted_string) for oid in purposes) or "empty"
        raise Invalid(
            f"the TSA certificate's extendedKeyUsage is {names}, not timeStamping alone "
            "(RFC 3161 2.3)"
        )
    if not extension.critical:
        raise Invalid(
            "the TSA certificate's extendedKeyUsage timeStamping is not critical (RFC 3161 2.3)"
        )


def check_trust(
    response: TimeStampResponse,
    data: bytes,
    anchors: list[x509.Certificate],
    signer: x509.Certificate,
    policy: str | None,
) -> None:
    """rfc3161-client's verification of ``response`` over ``data`` with ``anchors`` as roots.

    A certificate among ``anchors`` that is the signer is also pinned as the TSA certificate
    (so a token without certificates can be checked); a trust anchor must still be a
    self-signed root. ``policy`` (a dotted OID) is the TSA policy the token must name.
    """
    from rfc3161_client import VerificationError, VerifierBuilder

    builder = VerifierBuilder()
    for root in dict.fromkeys(anchors):
        builder = builder.add_root_certificate(root)
    if signer in anchors:
        builder = builder.tsa_certificate(signer)
    if policy is not None:
        builder = builder.policy_id(x509.ObjectIdentifier(policy))
    try:
        builder.build().verify_message(response, data)
    except VerificationError as exc:
        raise Invalid(_explain(str(exc), response, signer, policy, signer in anchors)) from None


def _explain(
    error: str,
    response: TimeStampResponse,
    signer: x509.Certificate,
    policy: str | None,
    pinned: bool,
) -> str:
    """rfc3161-client's refusal in words; OpenSSL's own reason is kept verbatim."""
    verify_error = re.search(r'data: "Verify error: ([^"]+)"', error)
    openssl_reason = re.findall(r'reason: "([^"]+)"', error)
    subject = signer.subject.rfc4514_string()
    gen_time = iso_utc(response.tst_info.gen_time)
    if verify_error is not None:
        why = verify_error.group(1).removesuffix(" or the system clock is incorrect")
        if why.startswith(_NOT_VALID_THEN):
            return f"the TSA certificate chain was not valid at genTime {gen_time}: {why}"
        if why == "unsuitable certificate purpose":
            return f"a certificate of the TSA's chain ({subject}) is not for timestamping: {why}"
        hint = " (a TSA certificate is pinned, not trusted, on its own: give its root too)"
        return (
            f"the TSA certificate ({subject}) does not chain to a trusted root certificate: {why}"
            + (hint if pinned and why == "unable to get local issuer certificate" else "")
        )
    if openssl_reason:
        return f"rfc3161-client refused the token: {openssl_reason[-1]}"
    if error == "Policy ID mismatch":
        named = response.tst_info.policy.dotted_string
        return f"the token names the TSA policy {named}, not the expected {policy}"
    if error == "Mismatch between messages":
        return "the message imprint does not match the data: the token was made for other bytes"
    return f"rfc3161-client refused the token: {one_line(error, 200)}"
