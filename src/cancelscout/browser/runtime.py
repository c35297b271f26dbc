"""A started Playwright with one resolved browser, handing out browser contexts.

The CLI opens one with :func:`open_runtime`; tests build one around pytest-playwright's
``browser`` fixture, so the engine never starts a second Playwright in the same thread.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from cancelscout.browser import launch as browsers
from cancelscout.errors import UsageError, first_line

CONTEXT_DEFAULTS: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "zh-CN",
    "accept_downloads": False,
    # Service workers could answer requests out of the network policy's sight.
    "service_workers": "block",
}


@dataclass
class Runtime:
    playwright: Playwright | None
    choice: browsers.BrowserChoice | None
    headless: bool = True
    browser: Browser | None = None
    _persistent: list[BrowserContext] = field(default_factory=list)
    # Attached to the user's own running browser (--cdp): runs work in its logged-in default
    # context, on tabs of their own only; the browser and the user's tabs are never closed.
    attached: bool = False

    def version(self) -> str:
        if self.browser is not None:
            return f"{self.browser.browser_type.name} {self.browser.version}"
        if self.choice is not None:
            return browsers.browser_version(self.choice, self.playwright) or "unknown"
        return "unknown"

    def new_context(
        self,
        *,
        storage_state: dict[str, Any] | None = None,
        user_data_dir: Path | None = None,
        **options: Any,
    ) -> BrowserContext:
        merged = {**CONTEXT_DEFAULTS, **options}
        if self.attached:
            assert self.browser is not None
            if storage_state is not None or user_data_dir is not None:
                raise UsageError("--cdp uses the browser's own login: no --session or cookies.")
            if not self.browser.contexts:
                raise UsageError(
                    "the browser at --cdp has no open window: open one and log in there."
                )
            return self.browser.contexts[0]  # the user's profile, logged in
        if user_data_dir is not None:
            if self.playwright is None or self.choice is None:
                raise UsageError("--user-data-dir needs a browser started by cancelscout itself.")
            context = browsers.launch_persistent(
                self.playwright, self.choice, user_data_dir, headless=self.headless, **merged
            )
            self._persistent.append(context)
            return context
        if self.browser is None:
            assert self.playwright is not None and self.choice is not None
            self.browser = browsers.launch(self.playwright, self.choice, headless=self.headless)
        if storage_state is not None:
            merged["storage_state"] = storage_state
        return self.browser.new_context(**merged)

    def close(self) -> None:
        for context in self._persistent:
            context.close()
        if self.browser is not None and self.playwright is not None and not self.attached:
            self.browser.close()


@contextmanager
def open_runtime(
    explicit_browser: str | None, *, headed: bool = False, cdp_url: str | None = None
) -> Iterator[Runtime]:
    """A Playwright with its browser: one cancelscout starts, or, with ``cdp_url``, the user's
    running browser attached over the DevTools protocol (left running when done)."""
    with sync_playwright() as playwright:
        if cdp_url is not None:
            runtime = Runtime(playwright, None, browser=attach(playwright, cdp_url), attached=True)
        else:
            choice = browsers.resolve_browser(explicit_browser, playwright)
            runtime = Runtime(playwright, choice, headless=not headed)
        try:
            yield runtime
        finally:
            runtime.close()


def attach(playwright: Playwright, cdp_url: str) -> Browser:
    """Connect to a Chromium-based browser started with ``--remote-debugging-port``, on this
    machine only: the debugging port gives whoever reaches it the whole browser."""
    host = (urlsplit(cdp_url).hostname or "").lower()
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise UsageError(
            f"--cdp {cdp_url}: attach only to a browser on this machine (127.0.0.1). Start it "
            "with --remote-debugging-port=9222 --remote-debugging-address=127.0.0.1."
        )
    try:
        return playwright.chromium.connect_over_cdp(cdp_url, timeout=10_000)
    except PlaywrightError as exc:
        raise UsageError(
            f"cannot attach to the browser at {cdp_url} ({first_line(str(exc))}). Start Chrome, "
            "Chromium or Edge with --remote-debugging-port=9222 (see the README), then retry."
        ) from None


_FATAL_BROWSER_ERRORS = ("Target crashed", "has been closed", "Connection closed")


def browser_gone(exc: PlaywrightError) -> bool:
    """A crash or a closed browser, as opposed to a locator that did not match."""
    return any(marker in str(exc) for marker in _FATAL_BROWSER_ERRORS)


def discard_trace_working_files(name: str) -> None:
    """Remove the working files of trace ``name`` (raw requests, Cookie headers included).

    Playwright keeps them in the browser's artifacts folder until the browser closes; a browser
    shared by several runs (tests, ``profiles test --all``) would keep every run's for its whole
    life. The sanitised copy is in the bundle once the trace is saved.
    """
    for folder in Path(tempfile.gettempdir()).glob("playwright-artifacts-*"):
        for path in folder.glob(f"{name}*"):
            with contextlib.suppress(OSError):
                path.unlink()
