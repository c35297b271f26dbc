"""The one thing the bare scripts share: the same Chromium, with the same flags, that
cancelscout launches (so the comparison measures the tool, not the browser)."""

import os

from playwright.sync_api import Browser, Playwright

FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]


def launch(p: Playwright) -> Browser:
    args = [*FLAGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    return p.chromium.launch(executable_path=os.environ.get("CANCELSCOUT_BROWSER"), args=args)
