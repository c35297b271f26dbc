"""Make a Playwright trace safe to hand over.

A raw trace records request headers (Cookie, Authorization), Set-Cookie responses, posted form
bodies and the context options. The shareable bundle keeps a copy with all of those redacted and
every known secret value (cookie values, storage values, password) replaced wherever it appears
in a text member. The raw trace never enters the bundle.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from cancelscout.analysis.pii import redact_text
from cancelscout.integrity.scrub import MIN_LENGTH, REDACTED

SECRET_HEADERS = {
    "cookie",
    "set-cookie",
    "authorization",
    "proxy-authorization",
    "x-csrf-token",
    "x-xsrf-token",
}
_WORDS = re.compile(r"[\s,，。:：;；/|·、()（）]+")
SECRET_KEYS = {"storagestate", "cookies", "origins", "postdata", "password", "httpcredentials"}


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        if "name" in value and "value" in value and str(value["name"]).lower() in SECRET_HEADERS:
            return {**value, "value": REDACTED}
        return {k: (REDACTED if k.lower() in SECRET_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _scrub_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _clean(value: Any, secrets: list[str], redact: bool) -> Any:
    """Secrets and (``redact``) personal data out of every string of a parsed trace event,
    and out of integers that read as personal data (a phone number stored as a number); a
    float is a time or a size, never a person's number. Done on values, not on the line, so
    that masking a long number never leaves a line that is no longer JSON."""
    if isinstance(value, str):
        text = _scrub_text(value, secrets)
        return redact_text(text) if redact else text
    if isinstance(value, bool) or not isinstance(value, (int, dict, list)):
        return value
    if isinstance(value, int):
        cleaned = _clean(str(value), secrets, redact)
        return value if cleaned == str(value) else cleaned
    if isinstance(value, dict):
        return {k: _clean(v, secrets, redact) for k, v in value.items()}
    return [_clean(v, secrets, redact) for v in value]


def _sanitize_member(name: str, data: bytes, secrets: list[str], redact: bool) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # images and other binary resources
    if name.endswith((".trace", ".network", ".stacks")):
        lines = []
        for line in text.splitlines():
            try:
                event = _clean(_redact(json.loads(line)), secrets, redact)
            except json.JSONDecodeError:
                cleaned = _scrub_text(line, secrets)
                lines.append(redact_text(cleaned) if redact else cleaned)
                continue
            # once more on the line: a secret written inside a number or a key
            lines.append(_scrub_text(json.dumps(event, ensure_ascii=False), secrets))
        return ("\n".join(lines) + "\n").encode("utf-8")
    text = _scrub_text(text, secrets)
    return (redact_text(text) if redact else text).encode("utf-8")


def hidden_texts(secrets: list[str], covered: list[str]) -> list[str]:
    """What a recording of the run must not show, longest first: the known secret values and,
    word by word, the texts the profile's masks and blanked fields covered (the trace stores
    text nodes as the page had them at each action, which marking for a screenshot may have
    split: "张三 " + a masked ID number)."""
    hide = {s for s in secrets if len(s) >= MIN_LENGTH}
    for text in covered:
        hide.update(w for w in _WORDS.split(text) if len(w) >= 2)
    return sorted(hide, key=len, reverse=True)


def sanitize_trace(
    raw: Path,
    out: Path,
    secrets: list[str],
    *,
    redact: bool = True,
    covered: list[str] | None = None,
) -> None:
    """Write a redacted copy of trace zip ``raw`` to ``out`` (``redact``: personal data too).
    ``covered``: what the profile's masks and blanked fields hid in the bundle, hidden here
    too (the trace's DOM snapshots are taken by Playwright, where no mask reaches)."""
    usable = hidden_texts(secrets, covered or [])
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sink:
        for info in source.infolist():
            sink.writestr(
                info.filename, _sanitize_member(info.filename, source.read(info), usable, redact)
            )


def secrets_of_storage_state(state: dict[str, Any]) -> list[str]:
    """Cookie values and web-storage values of a Playwright storage state."""
    values = [str(c.get("value", "")) for c in state.get("cookies", [])]
    for origin in state.get("origins", []):
        values.extend(str(item.get("value", "")) for item in origin.get("localStorage", []))
    return [v for v in values if len(v) >= 4]
