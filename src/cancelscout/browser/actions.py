"""The one choke point: every act of cancelscout on a page goes through :class:`Actions`.

Opening a URL, clicking, hovering, scrolling, typing into the login form, submitting it: each is
decided here (the network policy for URLs, the click guard for clicks), refused with a
:class:`BlockedActionError` and a :class:`~cancelscout.result.Blocked` record, or done. No other
module of the package calls Playwright's acting methods (``tests/test_safety_structure.py``
reads the source to keep it so); reading a page (text, screenshots, snapshots) is not acting.

A click is judged and made on one element handle: the element the guard described is the
element that receives the click, whatever the page changes around it in between.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import ElementHandle, Page, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PWLocator

from cancelscout.analysis.notices import NoticeRules
from cancelscout.browser.guard import ClickGuard
from cancelscout.browser.notices import blocking_layer, layer_control
from cancelscout.browser.policy import NetworkPolicy
from cancelscout.errors import BlockedActionError, first_line

WaitUntil = Literal["commit", "domcontentloaded", "load", "networkidle"]


class Actions:
    def __init__(self, policy: NetworkPolicy, guard: ClickGuard | None = None) -> None:
        self.policy = policy
        self.guard = guard or ClickGuard()
        self.notices = NoticeRules()

    # -- navigation --------------------------------------------------------------------------
    def open_page(
        self, page: Page, url: str, *, wait_until: WaitUntil = "domcontentloaded"
    ) -> Response | None:
        """Open ``url`` in ``page`` unless the policy refuses it (off-host, action URL, entry)."""
        reason = self.policy.page_refusal(url)
        if reason is not None:
            self.policy.block("navigation", "GET", url, reason)
            raise BlockedActionError(f"refused to open {url}: {reason}")
        return page.goto(url, wait_until=wait_until)

    @staticmethod
    def open_local_file(page: Page, path: Path) -> None:
        """Open one of cancelscout's own files (a report or a letter, to print it)."""
        page.goto(path.resolve().as_uri(), wait_until="load")

    # -- clicks ------------------------------------------------------------------------------
    def click_element(self, target: PWLocator, timeout: float) -> dict[str, Any]:
        """Judge the element ``target`` resolves to and click that very element.

        Returns the element's description. A refused click raises BlockedActionError (and is
        recorded); a click that opens a new tab waits for the tab. An element the page replaced
        before the click (a menu re-rendered every few milliseconds) is resolved and judged
        again; once that happened, the judged element gets its click event at once (no
        actionability waits in between, which a re-render outruns).
        """
        deadline = time.monotonic() + timeout / 1000
        detached = False
        while True:
            try:
                handle = target.element_handle(timeout=timeout)
            except PlaywrightError as exc:
                if detached:  # the page removed the element for good while it was clicked
                    raise PlaywrightError(
                        "element detached from the page and not found again: "
                        f"{first_line(str(exc))}"
                    ) from None
                raise
            try:
                if not detached:
                    # The pointer arrives first: a page that rewrites a control on mouseover
                    # has done so before the judgement, not after it.
                    handle.hover(timeout=timeout)
                info = self._judge(handle, target.page.url)
                if detached:
                    handle.dispatch_event("click")
                elif info.get("target") == "_blank":
                    with target.page.context.expect_page(timeout=timeout):
                        handle.click(timeout=timeout)
                else:
                    handle.click(timeout=timeout)
                return info
            except PlaywrightError as exc:
                if "not attached" not in str(exc) or time.monotonic() >= deadline:
                    raise
                detached = True
            finally:
                with contextlib.suppress(PlaywrightError):
                    handle.dispose()

    def _judge(self, handle: ElementHandle, page_url: str) -> dict[str, Any]:
        info, verdict = self.guard.inspect(handle)
        if not verdict.allowed:
            link = str(info.get("href") or (info.get("acting") or {}).get("href") or page_url)
            self.policy.block("click", "", link, verdict.reason)
            raise BlockedActionError(f"refused to click: {verdict.reason}")
        return info

    def dismiss_notice(self, page: Page, timeout: float) -> tuple[str | None, str | None]:
        """Close the layer that blocks ``page`` when it is a plain notice (公告 + 我知道了).

        Returns (the label clicked, the layer's text); (None, text) for a layer that asks
        something and was left alone; (None, None) when nothing blocks the page.
        """
        layer = blocking_layer(page)
        if layer is None:
            return None, None
        text = str(layer.get("text") or "")
        choice = self.notices.choice(layer)
        handle = layer_control(page, choice.index) if choice is not None else None
        if choice is None or handle is None:
            return None, text
        try:
            handle.click(timeout=timeout)
        finally:
            with contextlib.suppress(PlaywrightError):
                handle.dispose()
        return choice.label, text

    # -- gestures that read ------------------------------------------------------------------
    @staticmethod
    def hover_over(target: PWLocator, timeout: float) -> None:
        """Hover (opens CSS menus; sends nothing a GET-only network would not let through)."""
        target.hover(timeout=timeout)

    @staticmethod
    def scroll_into_view(target: PWLocator, timeout: float) -> None:
        target.scroll_into_view_if_needed(timeout=timeout)

    @staticmethod
    def scroll_page(page: Page, where: Literal["top", "bottom"]) -> None:
        y = "document.body.scrollHeight" if where == "bottom" else "0"
        page.evaluate(f"() => window.scrollTo(0, {y})")

    # -- the login form (the one place a write request is expected) --------------------------
    @staticmethod
    def type_into(target: PWLocator, value: str, timeout: float) -> None:
        target.fill(value, timeout=timeout)

    def submit_login(self, target: PWLocator, timeout: float) -> None:
        """Click the login form's submit button; its write request is let through."""
        with self.policy.writes_allowed():
            target.click(timeout=timeout)
            target.page.wait_for_load_state("domcontentloaded")
