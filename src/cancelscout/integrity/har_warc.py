"""The run's network record as a WARC: every response the browser loaded, sanitised.

**Why a HAR recorded during the run, and not the trace.** The sanitised Playwright trace does
hold HAR entries with response bodies, but not all of them: Playwright's trace never keeps the
bodies of scripts (its HAR tracer runs with ``omitScripts`` outside its live mode) and drops the
bodies still being read when tracing stops. Pages rebuilt from it would replay without their
scripts (a single-page app replays blank) and the last responses would be empty. So the run's
context also records a HAR (``record_har_path``, bodies embedded, in a private
temporary folder; ``runs/network_record.py``), and when the context has closed this module
turns it into ``network.warc.gz`` in the bundle; the raw HAR is deleted. The WARC is hashed in
``manifest.json`` like every other file, so the copy ``export --wacz`` packages is the signed,
timestamped one, byte for byte, and the export needs no conversion.

**Sanitised as the trace is.** Cookie, Set-Cookie, Authorization and the other secret headers
(:data:`cancelscout.integrity.trace.SECRET_HEADERS`) keep their names, their values redacted;
every request body (form posts, JSON) is replaced by a marker; the known secret values (and
their URL-encoded forms) and the texts the profile's masks covered are replaced in URLs,
header values and text bodies; personal data (mobile, ID and card numbers, e-mail addresses)
is masked in them unless ``--no-redact``. JSON bodies are masked value by value, so they stay
valid JSON. Binary bodies (images, fonts) are kept as served, secret values replaced byte for
byte: like the trace, pictures the site served are not masked.

The first record, a ``warcinfo``, carries a ``json-metadata`` line (as ArchiveWeb.page writes
it) listing the pages: the documents loaded in each page's main frame, with their times.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from base64 import b64decode
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from cancelscout.analysis.pii import redact_text
from cancelscout.integrity.scrub import MIN_LENGTH, REDACTED
from cancelscout.integrity.trace import SECRET_HEADERS, hidden_texts

NETWORK_WARC = "network.warc.gz"
BODY_REDACTED = REDACTED.encode()
# The HAR's bodies are decoded; the lengths change with masking: both are written anew.
_RESPONSE_DROP = {"content-encoding", "transfer-encoding", "content-length"}
_TEXT = re.compile(
    r"^(text/|image/svg\+xml|application/(json|(x-)?javascript|ecmascript|xml|graphql|"
    r"x-www-form-urlencoded|[\w.-]+\+(json|xml))\b)",
    re.IGNORECASE,
)
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class NetworkSummary:
    responses: int  # request/response pairs written
    pages: int  # main-frame documents, listed in the warcinfo record
    skipped: int  # requests without a response: refused by the policy, failed, not http(s)


class _Scrubber:
    """Replaces what no file of a bundle may hold, in text, JSON values and bytes."""

    def __init__(self, secrets: list[str], covered: list[str], redact: bool) -> None:
        values = [*secrets, *(quote(s, safe="") for s in secrets if len(s) >= MIN_LENGTH)]
        self.hidden = hidden_texts(values, covered)
        self.secret_bytes = [v.encode() for v in hidden_texts(values, [])]
        self.redact = redact

    def text(self, text: str) -> str:
        for value in self.hidden:
            if value in text:
                text = text.replace(value, REDACTED)
        return redact_text(text) if self.redact else text

    def url(self, url: str) -> str:
        """``url`` masked, the markers percent-encoded: a URL holds no space or non-ASCII."""
        return quote(self.text(url), safe=_URL_SAFE)

    def data(self, data: bytes) -> bytes:
        for value in self.secret_bytes:
            data = data.replace(value, BODY_REDACTED)
        return data

    def value(self, value: Any) -> Any:
        """A JSON value with every string (and every number that reads as personal data)
        masked; the structure stays as it was."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int) and not isinstance(value, bool):
            masked = self.text(str(value))
            return value if masked == str(value) else masked
        if isinstance(value, dict):
            return {self.text(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def _decode(data: bytes, mime: str) -> tuple[str, str]:
    """The body as text and the encoding to write it back with: the declared charset, the
    document's own ``<meta charset>``, UTF-8, else Latin-1 (lossless, and every personal-data
    pattern is ASCII, so masking still finds it)."""
    candidates = []
    if declared := _CHARSET.search(mime):
        candidates.append(declared.group(1))
    if meta := _META_CHARSET.search(data[:4096]):
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for encoding in [*candidates, "utf-8"]:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1"), "latin-1"


def _is_text(data: bytes, mime: str) -> bool:
    """Text by its type; untyped, by decoding as UTF-8 (a page served without one)."""
    if mime.strip():
        return bool(_TEXT.match(mime.strip()))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _body(data: bytes, mime: str, scrub: _Scrubber) -> bytes:
    if not _is_text(data, mime):
        return scrub.data(data)
    text, encoding = _decode(data, mime)
    if "json" in mime.lower():
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            masked = scrub.value(parsed)
            if masked == parsed:
                return data  # nothing to mask: the bytes as served
            text = json.dumps(masked, ensure_ascii=False, separators=(",", ":"))
            return text.encode(encoding, errors="xmlcharrefreplace")
    masked_text = scrub.text(text)
    if masked_text == text:
        return data
    return masked_text.encode(encoding, errors="xmlcharrefreplace")


def _headers(
    pairs: list[dict[str, Any]], scrub: _Scrubber, drop: set[str]
) -> list[tuple[str, str]]:
    headers = []
    for pair in pairs:
        name = str(pair.get("name", ""))
        if not name or name.startswith(":") or name.lower() in drop:
            continue  # HTTP/2 pseudo headers are in the request and status lines
        value = REDACTED if name.lower() in SECRET_HEADERS else scrub.text(str(pair["value"]))
        headers.append((name, value))
    return headers


def _content(entry: dict[str, Any], har_dir: Path) -> bytes:
    content = entry["response"].get("content") or {}
    name = content.get("_file")
    if name:
        path = (har_dir / str(name)).resolve()
        if path.parent != har_dir.resolve():  # only the HAR's own attachments
            raise ValueError(f"HAR attachment outside its folder: {name}")
        return path.read_bytes() if path.is_file() else b""
    text = content.get("text")
    if text is None:
        return b""
    return b64decode(text) if content.get("encoding") == "base64" else str(text).encode()


def _main_frames(entries: list[dict[str, Any]]) -> dict[str, str]:
    """Each page's main frame: the frame of the first document the page loaded."""
    frames: dict[str, str] = {}
    for entry in entries:
        page = entry.get("pageref")
        if entry.get("_resourceType") == "document" and page and page not in frames:
            frames[page] = str(entry.get("_frameref"))
    return frames


def _is_page(entry: dict[str, Any], frames: dict[str, str]) -> bool:
    response = entry["response"]
    mime = str((response.get("content") or {}).get("mimeType", ""))
    return (
        entry.get("_resourceType") == "document"
        and frames.get(str(entry.get("pageref"))) == str(entry.get("_frameref"))
        and 200 <= int(response.get("status", 0)) < 300
        and mime.lower().startswith(("text/html", "application/xhtml"))
    )


def _http_version(value: Any) -> str:
    text = str(value or "").upper()
    return text if text in ("HTTP/1.0", "HTTP/1.1") else "HTTP/1.1"  # h2, h3: WARC writes 1.1


def _warc_date(value: Any) -> str:
    """A HAR time as a WARC 1.1 date: UTC, milliseconds, ``Z``."""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _pair(writer: Any, entry: dict[str, Any], url: str, scrub: _Scrubber, folder: Path) -> Any:
    """The request and response records of one HAR entry, sanitised."""
    from warcio.statusandheaders import StatusAndHeaders

    request, response = entry["request"], entry["response"]
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = _headers(request.get("headers") or [], scrub, {"content-length"})
    request_body = BODY_REDACTED if request.get("postData") else b""
    if request_body:
        request_headers.append(("Content-Length", str(len(request_body))))
    mime = str((response.get("content") or {}).get("mimeType", ""))
    body = _body(_content(entry, folder), mime, scrub)
    response_headers = _headers(response.get("headers") or [], scrub, _RESPONSE_DROP)
    response_headers.append(("Content-Length", str(len(body))))
    status = f"{int(response['status'])} {scrub.text(str(response.get('statusText') or ''))}"
    date = {"WARC-Date": _warc_date(entry["startedDateTime"])}
    request_line = f"{request['method']} {target} {_http_version(request.get('httpVersion'))}"
    return (
        writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            warc_headers_dict=dict(date),
            http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True),
        ),
        writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            warc_headers_dict=dict(date),
            http_headers=StatusAndHeaders(
                status.strip(),
                response_headers,
                protocol=_http_version(response.get("httpVersion")),
            ),
        ),
    )


def har_to_warc(
    har: Path,
    secrets: list[str],
    *,
    redact: bool,
    covered: list[str] | None = None,
    software: str = "cancelscout",
) -> tuple[bytes, NetworkSummary]:
    """The gzipped WARC of HAR file ``har`` (bodies embedded, or attached beside it), sanitised."""
    from warcio.timeutils import iso_date_to_timestamp
    from warcio.warcwriter import WARCWriter

    scrub = _Scrubber(secrets, covered or [], redact)
    entries: list[dict[str, Any]] = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    entries.sort(key=lambda e: _warc_date(e["startedDateTime"]))
    frames = _main_frames(entries)
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
    pairs: list[Any] = []
    pages: list[dict[str, str]] = []
    for entry in entries:
        answered = int(entry["response"].get("status") or 0) > 0  # not refused, not failed
        if not answered or urlsplit(str(entry["request"]["url"])).scheme not in ("http", "https"):
            continue
        url = scrub.url(str(entry["request"]["url"]))
        pairs.append(_pair(writer, entry, url, scrub, har.parent))
        if _is_page(entry, frames):
            date = _warc_date(entry["startedDateTime"])
            stamp = iso_date_to_timestamp(date)
            page_id = hashlib.sha256(f"{stamp}/{url}".encode()).hexdigest()[:24]
            pages.append({"id": page_id, "url": url, "ts": date, "timestamp": stamp})
    metadata = {"type": "recording", "software": software, "pages": pages}
    info = {
        "software": software,
        "format": "WARC File Format 1.1",
        "description": "cancelscout network record; secret headers, request bodies, "
        "session values and personal data redacted",
        "json-metadata": json.dumps(metadata, ensure_ascii=False),
    }
    writer.write_record(writer.create_warcinfo_record(NETWORK_WARC, info))
    for request_record, response_record in pairs:
        writer.write_request_response_pair(request_record, response_record)
    return buffer.getvalue(), NetworkSummary(len(pairs), len(pages), len(entries) - len(pairs))
