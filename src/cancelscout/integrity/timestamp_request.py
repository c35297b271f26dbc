"""Asking a timestamp authority (TSA) for an RFC 3161 token over some bytes.

:func:`request_timestamp` builds a version 1 ``TimeStampReq`` (SHA-256 imprint, random nonce,
``certReq``), POSTs it to the TSA URL it is given, and checks that the answer is an HTTP 200,
bounded in size, a well-formed granted ``TimeStampResp`` whose ``TSTInfo`` echoes the nonce and
the imprint. Every failure becomes a one-line :class:`SiteError`. The signature is not checked
here; that is :mod:`timestamp_verify`'s job.
"""

from __future__ import annotations

import hashlib
import http.client
import secrets
import urllib.error
import urllib.request
from typing import cast

from asn1crypto import core, tsp  # type: ignore[import-untyped]

from cancelscout.errors import SiteError
from cancelscout.integrity.timestamp_asn1 import GRANTED, TimeStampResp, one_line

QUERY_CONTENT_TYPE = "application/timestamp-query"
REPLY_CONTENT_TYPE = "application/timestamp-reply"
# A TimeStampResp with a certificate or two is a few KiB; anything near this is not one.
_MAX_RESPONSE = 1 << 20


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
            f"The timestamp authority {url} answered HTTP {exc.code} {one_line(exc.reason)}."
        ) from None
    except urllib.error.URLError as exc:
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


def _check_reply(url: str, body: bytes, imprint: bytes, nonce: int) -> None:
    def malformed(why: str) -> SiteError:
        return SiteError(f"The timestamp authority {url} sent a malformed answer: {why}.")

    try:
        reply = TimeStampResp.load(body, strict=True)
        status_info = reply["status"]
        status = str(status_info["status"].native)
        texts = status_info["status_string"].native or []
        failures = status_info["fail_info"].native or set()
    except Exception as exc:  # asn1crypto raises many kinds on hostile bytes
        raise malformed(one_line(exc, 160)) from None
    if status not in GRANTED:
        said = "; ".join(str(text) for text in texts) or "no reason given"
        detail = f" [{', '.join(sorted(str(f) for f in failures))}]" if failures else ""
        raise SiteError(
            f"The timestamp authority {url} refused the request ({status}): "
            f"{one_line(said, 200)}{detail}."
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
        raise malformed(one_line(exc, 160)) from None
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
