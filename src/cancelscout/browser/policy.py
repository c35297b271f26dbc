"""The domain policy: every navigation stays on the platform's own hosts."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Request, Route


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
