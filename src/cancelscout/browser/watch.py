"""What every page of a run gets: dialogs dismissed, downloads refused, each one reported.

Dismiss is the safe answer to every alert/confirm/prompt (it never confirms anything), and a
download is never accepted; the attempt is evidence, so ``report`` hears of each one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from playwright.sync_api import Dialog, Download, Page
from playwright.sync_api import Error as PlaywrightError

# report(kind, text, url): kind is "dialog" or "download"; text says what it was.
Report = Callable[[str, str, str], None]


def guard_page(page: Page, report: Report) -> None:
    """Dismiss ``page``'s dialogs and refuse its downloads, reporting each."""

    def on_dialog(dialog: Dialog) -> None:
        report("dialog", f"{dialog.type}: {dialog.message}", page.url)
        with contextlib.suppress(PlaywrightError):
            dialog.dismiss()

    def on_download(download: Download) -> None:
        report("download", f"download of {download.suggested_filename} refused", download.url)
        with contextlib.suppress(PlaywrightError):
            download.cancel()

    page.on("dialog", on_dialog)
    page.on("download", on_download)
