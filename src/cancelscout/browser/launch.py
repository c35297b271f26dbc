"""Which browser to drive, and how to launch it.

Order: an explicit ``--browser PATH`` or ``CANCELSCOUT_BROWSER``; else the Chromium that
Playwright manages (``playwright install chromium``), the normal case on a user's machine; else a
system Chromium/Chrome.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Playwright

from cancelscout.errors import BrowserNotFoundError

SYSTEM_CANDIDATES = (
    "/usr/bin/chromium",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
# Without these, a locked-down machine spends seconds on refused background connections, and a
# user's machine phones Google mid-evidence: neither belongs in a recording.
QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
)
INSTALL_HINT = (
    "Install one with 'python -m playwright install chromium', or on Debian/Ubuntu "
    "'sudo apt-get install chromium fonts-noto-cjk', or pass --browser /path/to/chrome."
)


@dataclass(frozen=True)
class BrowserChoice:
    """``path`` None means Playwright's own managed Chromium."""

    path: Path | None
    source: str

    def describe(self) -> str:
        return f"{self.path or 'playwright-managed chromium'} ({self.source})"


def _managed_chromium(playwright: Playwright | None) -> Path | None:
    if playwright is None:
        return None
    try:
        path = Path(playwright.chromium.executable_path)
    except Exception:
        return None
    return path if path.exists() else None


def _system_chromium() -> Path | None:
    for candidate in SYSTEM_CANDIDATES:
        found = shutil.which(candidate) if not candidate.startswith("/") else candidate
        if found and Path(found).exists():
            return Path(found)
    return None


def resolve_browser(explicit: str | None, playwright: Playwright | None) -> BrowserChoice:
    if explicit is None:
        explicit = os.environ.get("CANCELSCOUT_BROWSER") or None
        source = "CANCELSCOUT_BROWSER"
    else:
        source = "--browser"
    if explicit:
        path = Path(explicit)
        if not path.exists():
            raise BrowserNotFoundError(
                f"browser not found at {explicit} ({source}). {INSTALL_HINT}"
            )
        return BrowserChoice(path, source)
    managed = _managed_chromium(playwright)
    if managed is not None:
        return BrowserChoice(None, "playwright")
    system = _system_chromium()
    if system is not None:
        return BrowserChoice(system, "system")
    raise BrowserNotFoundError(f"no Chromium or Chrome found. {INSTALL_HINT}")


def launch_args() -> list[str]:
    args = list(QUIET_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return args


def launch_options(choice: BrowserChoice, *, headless: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"headless": headless, "args": launch_args()}
    if choice.path is not None:
        options["executable_path"] = str(choice.path)
    return options


def launch(playwright: Playwright, choice: BrowserChoice, *, headless: bool) -> Browser:
    return playwright.chromium.launch(**launch_options(choice, headless=headless))


def launch_persistent(
    playwright: Playwright,
    choice: BrowserChoice,
    user_data_dir: Path,
    *,
    headless: bool,
    **context_options: Any,
) -> BrowserContext:
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), **launch_options(choice, headless=headless), **context_options
    )


def browser_version(choice: BrowserChoice, playwright: Playwright | None = None) -> str | None:
    """The version string without launching a page, or None if it cannot be read."""
    path = choice.path or _managed_chromium(playwright)
    if path is None:
        return None
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None
