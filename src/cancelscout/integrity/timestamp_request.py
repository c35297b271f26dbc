"""Asking a timestamp authority (TSA) for an RFC 3161 token over some bytes.

:func:`request_timestamp` has rfc3161-client build a version 1 ``TimeStampReq`` (SHA-256
imprint, random nonce, ``certReq``), POSTs it to the TSA URL it is given, and checks that the
answer is an HTTP 200, bounded in size, a response rfc3161-client reads (strict DER) with
status granted whose ``TSTInfo`` echoes the nonce and the imprint. The nonce is compared here:
rfc3161-client's verifier would compare it too, but only with a trust anchor, which a run does
not have. Every failure becomes a one-line :class:`SiteError`. The signature is not checked
here; that is :mod:`timestamp_verify`'s job.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, cast

from cancelscout.errors import SiteError
from cancelscout.integrity.timestamp_common import one_line

if TYPE_CHECKING:
    from rfc3161_client import TimeStampRequest

QUERY_CONTENT_TYPE = "application/timestamp-query"
REPLY_CONTENT_TYPE = "application/timestamp-reply"
# A TimeStampResp with a certificate or two is a few KiB; anything near this is not one.
_MAX_RESPONSE = 1 << 20


def request_timestamp(url: str, data: bytes, *, timeout_s: float = 20) -> bytes:
    """Timestamp ``data`` at the TSA ``url``; return the DER of the TSA's ``TimeStampResp``.

    Sends a version 1 ``TimeStampReq`` with the SHA-256 of ``data``, a random nonce and
    ``certReq`` set. The answer must be HTTP 200, a well-formed response with status granted
    whose ``TSTInfo`` echoes the nonce and the imprint. The signature is not checked here:
    that is :func:`verify_timestamp`'s job.

    Raises :class:`SiteError` with a one-line message when the TSA is unreachable, answers
    with an HTTP error, refuses the request (with its status text) or answers nonsense.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise SiteError(
            f"The timestamp authority URL must start with http:// or https://: {url!r}."
        )
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    request = TimestampRequestBuilder(data, HashAlgorithm.SHA256, nonce=True, cert_req=True).build()
    body = _post(url, request.as_bytes(), timeout_s)
    _check_reply(url, body, request)
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
            f"The timestamp authority {url} answered HTTP {exc.code} {one_line(exc.reason)}."
        ) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):  # no answer before the headers
            raise SiteError(
                f"The timestamp authority {url} did not answer within {timeout_s:g} s."
            ) from None
        raise SiteError(
            f"The timestamp authority {url} is unreachable: {one_line(exc.reason)}."
        ) from None
    except TimeoutError:
        raise SiteError(
            f"The timestamp authority {url} did not answer within {timeout_s:g} s."
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise SiteError(
            f"The timestamp authority {url} is unreachable: {one_line(exc) or type(exc).__name__}."
        ) from None
    if status != 200:
        raise SiteError(f"The timestamp authority {url} answered HTTP {status} instead of 200.")
    if len(body) > _MAX_RESPONSE:
        raise SiteError(f"The timestamp authority {url} sent an answer too large to be a token.")
    return body


def _check_reply(url: str, body: bytes, request: TimeStampRequest) -> None:
    from rfc3161_client import PKIStatus, decode_timestamp_response

    def malformed(why: str) -> SiteError:
        return SiteError(f"The timestamp authority {url} sent a malformed answer: {why}.")

    try:
        reply = decode_timestamp_response(body)
    except ValueError as exc:
        raise malformed(one_line(exc, 160)) from None
    if reply.status == PKIStatus.GRANTED_WITH_MODS:
        raise SiteError(
            f"The timestamp authority {url} granted the request with modifications "
            "(grantedWithMods); only a token granted as asked is kept."
        )
    if reply.status != PKIStatus.GRANTED:
        said = "; ".join(reply.status_string) or "no reason given"
        status = next((s.name.lower() for s in PKIStatus if s == reply.status), "unknown")
        raise SiteError(
            f"The timestamp authority {url} refused the request ({status}): {one_line(said, 200)}."
        )
    try:
        tst_info = reply.tst_info
    except ValueError:
        raise malformed("status granted but no token") from None
    if tst_info.nonce != request.nonce:
        raise SiteError(
            f"The timestamp authority {url} answered with the wrong nonce: "
            "the answer is not for this request (replayed or mixed up)."
        )
    asked = request.message_imprint
    if (
        tst_info.message_imprint.hash_algorithm != asked.hash_algorithm
        or tst_info.message_imprint.message != asked.message
    ):
        raise SiteError(
            f"The timestamp authority {url} timestamped other data: "
            "the message imprint in its answer is not the one sent."
        )
