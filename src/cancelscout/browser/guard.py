"""The click guard: the live element is described, then judged by ``analysis.safety``.

Every click of a run asks :meth:`ClickGuard.check` first; a refused control raises
:class:`BlockedActionError` and is never clicked.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator

from cancelscout.analysis.safety import ClickRules
from cancelscout.errors import BlockedActionError

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


class ClickGuard(ClickRules):
    def check(self, locator: Locator) -> dict[str, Any]:
        """Describe the element and raise :class:`BlockedActionError` if it must not be clicked."""
        info = describe_element(locator)
        verdict = self.judge(info)
        if not verdict.allowed:
            raise BlockedActionError(f"refused to click: {verdict.reason}")
        return info
