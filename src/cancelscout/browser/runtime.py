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

from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from cancelscout.browser import launch as browsers
from cancelscout.errors import UsageError

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
        if self.browser is not None and self.playwright is not None:
            self.browser.close()


@contextmanager
def open_runtime(explicit_browser: str | None, *, headed: bool = False) -> Iterator[Runtime]:
    with sync_playwright() as playwright:
        choice = browsers.resolve_browser(explicit_browser, playwright)
        runtime = Runtime(playwright, choice, headless=not headed)
        try:
            yield runtime
        finally:
            runtime.close()


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
