"""Friction metrics: how hard the platform made reaching the entry, measured and graded.

Grades follow justdeleteme's spirit (easy / medium / hard / impossible) but from measurements:
actions needed, and hurdles — hover-only menus, frames, scrolling, icon-only controls, and a
visually demoted entry (tiny, low contrast, dwarfed by the page's renew/pay buttons).
"""

from __future__ import annotations

from typing import Any

from cancelscout.result import Friction, PathStep

SMALL_FONT_PX = 13.0
LOW_CONTRAST = 3.0  # WCAG AA for large text; body text needs 4.5
DWARFED_RATIO = 8.0


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: list[float], bg: list[float]) -> float:
    if len(fg) < 3 or len(bg) < 3:
        return 21.0
    high, low = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return round((high + 0.05) / (low + 0.05), 2)


def assess(
    path: list[PathStep],
    style: dict[str, Any] | None,
    *,
    pages_visited: int,
    in_frame: bool,
    icon_only: bool,
) -> Friction:
    clicks = sum(step.action == "click" for step in path)
    hovers = sum(step.action == "hover" for step in path)
    if style is None:
        return Friction(
            grade="impossible",
            reason="no cancel entry was found",
            clicks=clicks,
            hovers=hovers,
            pages_visited=pages_visited,
        )
    font = float(style.get("fontSize") or 0)
    contrast = contrast_ratio(style.get("color") or [], style.get("bg") or [])
    area = float(style.get("area") or 0)
    loudest = float(style.get("loudest") or 0)
    ratio = round(loudest / area, 1) if area and loudest else None
    needs_scroll = float(style.get("top") or 0) > float(style.get("viewport") or 900)
    demoted_why = []
    if font and font < SMALL_FONT_PX and not icon_only:
        demoted_why.append(f"{font:g}px text")
    if contrast < LOW_CONTRAST:
        demoted_why.append(f"contrast {contrast:g}:1")
    if ratio is not None and ratio >= DWARFED_RATIO:
        demoted_why.append(f"the renew/pay button is {ratio:g}× larger")
    hurdles = {
        "hover-only menu": hovers > 0,
        "inside a frame": in_frame,
        "below the fold": needs_scroll,
        "icon without text": icon_only,
        "visually demoted (" + ", ".join(demoted_why) + ")": bool(demoted_why),
    }
    found = [name for name, present in hurdles.items() if present]
    actions = clicks + hovers
    if actions <= 2 and not found:
        grade = "easy"
    elif actions <= 3 and len(found) <= 1:
        grade = "medium"
    else:
        grade = "hard"
    reason = f"{actions} action{'s' if actions != 1 else ''} ({clicks} clicks, {hovers} hovers)"
    reason += "; " + ("; ".join(found) if found else "no hurdles")
    return Friction(
        grade=grade,
        reason=reason,
        clicks=clicks,
        hovers=hovers,
        pages_visited=pages_visited,
        depth=len([s for s in path if s.action in ("click", "hover")]),
        needs_hover=hovers > 0,
        needs_scroll=needs_scroll,
        in_frame=in_frame,
        icon_only=icon_only,
        demoted=bool(demoted_why),
        font_size=font or None,
        contrast=contrast,
        loudest_button_ratio=ratio,
    )
