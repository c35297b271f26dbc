"""The safety promise, enforced by the engine whatever a profile says.

- :class:`ClickGuard` refuses to click controls that confirm, pay, renew, buy, delete, log out,
  submit a form, or are a cancel entry themselves.
- :class:`DomainPolicy` keeps every navigation on the platform's own hosts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Request, Route

from cancelscout.data import keywords
from cancelscout.errors import BlockedActionError
from cancelscout.textnorm import normalize

_DESCRIBE_JS = """el => ({
  tag: el.tagName.toLowerCase(),
  text: (el.innerText || el.textContent || '').trim().slice(0, 300),
  aria: el.getAttribute('aria-label'),
  title: el.getAttribute('title'),
  value: (el.tagName === 'INPUT') ? el.value : null,
  type: (el.getAttribute('type') || '').toLowerCase(),
  inForm: !!el.closest('form'),
  href: el.getAttribute('href'),
  target: el.getAttribute('target'),
  role: el.getAttribute('role'),
})"""


def describe_element(locator: Locator) -> dict[str, Any]:
    info: dict[str, Any] = locator.evaluate(_DESCRIBE_JS)
    return info


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""


class ClickGuard:
    def __init__(self) -> None:
        data = keywords()
        words = data["never_touch"]
        # An entry is never clicked either: every target phrase of the keyword model is refused.
        self._contains = [normalize(w) for w in [*words["contains"], *data["target"]]]
        self._exact = {normalize(w) for w in words["exact"]}

    def judge(self, info: dict[str, Any]) -> Verdict:
        labels = [info.get(k) for k in ("text", "aria", "title", "value")]
        for label in labels:
            if not label:
                continue
            folded = normalize(str(label))
            if folded in self._exact:
                return Verdict(False, f"'{label}' is a never-touch control")
            for word in self._contains:
                if word in folded:
                    return Verdict(False, f"'{label}' contains never-touch word '{word}'")
        tag, kind = info.get("tag"), info.get("type")
        if info.get("role") in ("switch", "checkbox") or (tag == "input" and kind == "checkbox"):
            return Verdict(False, "it toggles a setting (a switch or checkbox)")
        submits = (tag == "button" and kind in ("", "submit") and info.get("inForm")) or (
            tag == "input" and kind in ("submit", "image")
        )
        if submits:
            return Verdict(False, "it submits a form")
        return Verdict(True)

    def check(self, locator: Locator) -> dict[str, Any]:
        """Describe the element and raise :class:`BlockedActionError` if it must not be clicked."""
        info = describe_element(locator)
        verdict = self.judge(info)
        if not verdict.allowed:
            raise BlockedActionError(f"refused to click: {verdict.reason}")
        return info


def host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in allowed:
        if pattern.startswith("*."):
            root = pattern[2:]
            if host == root or host.endswith("." + root):
                return True
        elif host == pattern:
            return True
    return False


@dataclass
class DomainPolicy:
    """Aborts document navigations (pages and iframes) to hosts outside ``allowed``."""

    allowed: list[str]
    blocked: list[str] = field(default_factory=list)

    def allows_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("about", "data", "blob", "javascript"):
            return True
        return bool(parts.hostname) and host_allowed(parts.hostname or "", self.allowed)

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._handle)

    def _handle(self, route: Route, request: Request) -> None:
        if request.resource_type == "document" and not self.allows_url(request.url):
            self.blocked.append(request.url)
            route.abort("blockedbyclient")
        else:
            route.fallback()
