"""RFC 3161 trusted timestamps over the bytes of an evidence bundle's ``manifest.json``.

:func:`request_timestamp` asks a timestamp authority (TSA) to sign the SHA-256 of some bytes
and returns the DER of its whole ``TimeStampResp``; the bundle keeps it as ``timestamp.tsr``
(the same file ``openssl ts -reply`` writes, so ``openssl ts -verify -in timestamp.tsr`` reads
it). :func:`verify_timestamp` checks such a token against the bytes offline and says whether it
is whole and whether its TSA is trusted: trusted only when rfc3161-client verified it against
certificates the user trusts (the chain valid at the token's genTime).

The checks are vetted libraries' wherever one makes them: rfc3161-client builds the request,
reads the response and verifies the trust; pyHanko's CMS validator checks the ESS
signing-certificate binding and the signature. What is still checked by hand, and why, is
listed in :mod:`timestamp_verify`. Both libraries are imported only when a token is asked for
or checked. Neither function touches anything but the TSA URL it is given.

The work is split by responsibility: :mod:`timestamp_request` asks the TSA,
:mod:`timestamp_verify` reads and checks a token, :mod:`timestamp_certs` checks its TSA
certificate (key usage, and trust through rfc3161-client) and :mod:`timestamp_common` holds the
helpers both sides share. This module re-exports their public names.
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
