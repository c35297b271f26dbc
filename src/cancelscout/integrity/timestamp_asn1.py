"""The ASN.1 pieces and small helpers shared by requesting and verifying RFC 3161 timestamps.

It holds a ``TimeStampResp`` that may lack its token (a TSA's refusal), the statuses that grant
a token, the digest algorithms a token may use (:func:`digest` over bytes, :func:`hash_for` as
a ``cryptography`` hash), the :class:`Invalid` exception that carries why a token is invalid,
and the one-line and ISO 8601 formatting the messages use.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any, ClassVar

from asn1crypto import cms, core, tsp  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import hashes

GRANTED = frozenset({"granted", "granted_with_mods"})

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}


class TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 TimeStampResp. asn1crypto's own makes the token mandatory, but a TSA that
    refuses a request answers with the status alone."""

    _fields: ClassVar[list[Any]] = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class Invalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def one_line(text: object, limit: int = 300) -> str:
    flat = re.sub(r"\s+", " ", str(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def digest(algorithm: str, data: bytes) -> bytes:
    if algorithm not in HASHES:
        raise Invalid(f"unsupported digest algorithm {algorithm}")
    return hashlib.new(algorithm.replace("_", "-"), data).digest()


def hash_for(name: str) -> hashes.HashAlgorithm:
    if name not in HASHES:
        raise Invalid(f"unsupported digest algorithm {name}")
    return HASHES[name]()


def strict_der(data: bytes) -> bool:
    """Is ``data`` one DER element whose every constructed element is exactly filled by its
    children, with minimal definite lengths? (A tampered length that a lenient parser skips
    over fails here.)"""

    def element(start: int, end: int) -> int:
        """Check the element at ``start``; return where it ends."""
        if start + 2 > end:
            raise ValueError
        tag, first = data[start], data[start + 1]
        if tag & 0x1F == 0x1F:
            raise ValueError  # high tag numbers do not occur in RFC 3161 tokens
        pos = start + 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or count > 4 or pos + count > end or data[pos] == 0:
                raise ValueError  # indefinite, oversized or non-minimal length
            length = int.from_bytes(data[pos : pos + count], "big")
            if length < 0x80 or length < 1 << (8 * (count - 1)):
                raise ValueError
            pos += count
        stop = pos + length
        if stop > end:
            raise ValueError
        if tag & 0x20:  # constructed: the children fill it exactly
            inner = pos
            while inner < stop:
                inner = element(inner, stop)
        return stop

    try:
        return element(0, len(data)) == len(data)
    except (ValueError, IndexError, RecursionError):
        return False
