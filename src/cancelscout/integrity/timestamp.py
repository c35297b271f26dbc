"""RFC 3161 trusted timestamps over the bytes of an evidence bundle's ``manifest.json``.

:func:`request_timestamp` asks a timestamp authority (TSA) to sign the SHA-256 of some bytes
and returns the DER of its whole ``TimeStampResp``; the bundle keeps it as ``timestamp.tsr``
(the same file ``openssl ts -reply`` writes, so ``openssl ts -verify -in timestamp.tsr`` reads
it). :func:`verify_timestamp` checks such a token against the bytes offline: imprint, CMS
signature, ``messageDigest``, the ESS signing-certificate binding, the timeStamping key usage
and, when asked, that the TSA certificate is, or chains to, a certificate the user trusts.

ASN.1 is read and written with asn1crypto; signatures are checked with cryptography. Neither
function touches anything but the TSA URL it is given.

The work is split by responsibility: :mod:`timestamp_request` asks the TSA,
:mod:`timestamp_verify` walks a token, :mod:`timestamp_certs` checks its signer cryptographically
and :mod:`timestamp_asn1` holds the ASN.1 and helpers both sides share. This module re-exports
their public names.
"""

from __future__ import annotations

from cancelscout.integrity.timestamp_request import (
    QUERY_CONTENT_TYPE,
    REPLY_CONTENT_TYPE,
    request_timestamp,
)
from cancelscout.integrity.timestamp_verify import TimestampCheck, verify_timestamp

__all__ = [
    "QUERY_CONTENT_TYPE",
    "REPLY_CONTENT_TYPE",
    "TimestampCheck",
    "request_timestamp",
    "verify_timestamp",
]
