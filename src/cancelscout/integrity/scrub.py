"""Known secrets kept out of every file of a bundle and out of the log.

A session's cookie and web-storage values (and a password, where one is typed) are known before
the first step. Whatever the page does with them — prints an API token, puts it in a link, in a
URL the run then opens — they are replaced before anything is written or hashed: in text
artifacts (DOM snapshots, page texts, the report), in step records, the run log, the manifest
and the trace. Pictures cannot be edited afterwards, so the live page marks the same values for
masking before each screenshot or print (``pattern()``, used with ``analysis.pii.MARK_JS``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

REDACTED = "[redacted by cancelscout]"
MIN_LENGTH = 4  # shorter values (a "1" flag cookie) would blank every such string in a page
TEXT_SUFFIXES = (".html", ".htm", ".txt", ".json", ".jsonl", ".log", ".md", ".csv", ".xml", ".svg")


class Secrets:
    def __init__(self) -> None:
        self._values: list[str] = []

    def add(self, values: list[str]) -> None:
        """Keep ``values`` (and their URL-encoded forms) out from now on."""
        found = set(self._values)
        for value in values:
            if len(value) >= MIN_LENGTH:
                found.update({value, quote(value, safe="")})
        self._values = sorted(found, key=len, reverse=True)  # a longer one first: no leftovers

    def __bool__(self) -> bool:
        return bool(self._values)

    def text(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def value(self, value: Any) -> Any:
        """``value`` (a JSON-like structure) with every string scrubbed."""
        if not self._values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value

    def data(self, name: str, data: bytes) -> bytes:
        """The bytes of artifact ``name``, scrubbed when it is text (pictures are masked on
        the page before they are taken; PDFs likewise before printing)."""
        if not self._values or not name.lower().endswith(TEXT_SUFFIXES):
            return data
        text = data.decode("utf-8", "surrogateescape")
        return self.text(text).encode("utf-8", "surrogateescape")

    def pattern(self) -> str | None:
        """One regular expression (valid in Python and JavaScript) matching any secret."""
        if not self._values:
            return None
        return "|".join(re.escape(v) for v in self._values)
