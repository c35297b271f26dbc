"""Turn a profile :class:`~cancelscout.profiles.schema.Locator` into a Playwright locator.

Text-like values (role name, label, text, title) match 繁體 and 简体 alike: the phrase becomes a
regular expression in which every character with a variant accepts both forms. Playwright's CSS
and text engines pierce open shadow roots, so entries inside web components are found as-is.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from playwright.sync_api import FrameLocator, Locator, Page

from cancelscout.profiles.schema import Locator as LocatorSpec
from cancelscout.textnorm import variant_pattern

Root: TypeAlias = Page | FrameLocator


def _text_matcher(value: str, match: str) -> re.Pattern[str]:
    if match == "regex":
        return re.compile(value)
    return re.compile(variant_pattern(value, exact=match == "exact"), re.IGNORECASE)


def frame_root(page: Page, frames: list[str], base: Root | None = None) -> Root:
    root: Root = base if base is not None else page
    for selector in frames:
        root = root.frame_locator(selector)
    return root


def build(root: Root, spec: LocatorSpec) -> Locator:
    """The Playwright locator for ``spec`` under ``root`` (page or frame), frames applied."""
    for selector in spec.frame:
        root = root.frame_locator(selector)
    kind = spec.kind
    if kind == "role":
        name = _text_matcher(spec.name, spec.match) if spec.name is not None else None
        locator = root.get_by_role(spec.role, name=name)  # type: ignore[arg-type]
    elif kind == "label":
        locator = root.get_by_label(_text_matcher(spec.label or "", spec.match))
    elif kind == "text":
        locator = root.get_by_text(_text_matcher(spec.text or "", spec.match))
    elif kind == "title":
        locator = root.get_by_title(_text_matcher(spec.title or "", spec.match))
    elif kind == "test_id":
        locator = root.get_by_test_id(spec.test_id or "")
    elif kind == "css":
        locator = root.locator(spec.css or "")
    else:
        locator = root.locator(f"xpath={spec.xpath}")
    if spec.nth is not None:
        return locator.nth(spec.nth)
    # Hidden duplicates (mobile menus, templates) are common: act on the first visible match.
    return locator.filter(visible=True).first
