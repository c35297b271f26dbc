"""The explained copies of a captured page: the outlined full-page shot and the clause crops.

:func:`annotate` finds the promise words and flagged sentences a page capture read on the page,
outlines them under a temporary overlay (promises in yellow, clauses in numbered red frames,
with a caption naming the platform, kind, URL and time) and screenshots the whole page and a
crop around each flagged sentence, inside the page's masking. The raw screenshots are never
drawn on; these copies are extra artifacts for a reader.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from cancelscout.browser import snapshots as shots
from cancelscout.browser.highlight import (
    CLAUSE_COLOR,
    PROMISE_COLOR,
    crop_around,
    find_boxes,
    mark,
    overlay,
    page_size,
    plain_box,
)
from cancelscout.errors import first_line
from cancelscout.integrity.bundle import iso_ms, utc_now
from cancelscout.integrity.runlog import RunLog
from cancelscout.result import FlaggedClause, Promise

MAX_CROPS = 40  # clause crops per page: enough for any agreement, bounded for a hostile one


def annotate(
    page: Page,
    promises: list[Promise],
    flagged: list[FlaggedClause],
    *,
    platform: str,
    kind: str,
    url: str,
    slug: str,
    masks: list[str],
    log: RunLog,
) -> tuple[list[tuple[str, bytes]], dict[int, tuple[str, bytes]]]:
    """The outlined full-page copy and one crop per flagged sentence (inside masking)."""
    if not promises and not flagged:
        return [], {}
    needles: list[str | tuple[str, str]] = [(p.text, p.phrase) for p in promises]
    needles += [c.text for c in flagged]
    found = find_boxes(page, needles, max_each=3)
    marks: list[dict[str, Any]] = []
    for promise, boxes in zip(promises, found[: len(promises)], strict=True):
        if boxes:
            promise.box = plain_box(boxes[0])
            marks.extend(mark(b, "", PROMISE_COLOR) for b in boxes)
    numbered: dict[tuple[float, ...], dict[str, Any]] = {}
    for number, (clause, boxes) in enumerate(zip(flagged, found[len(promises) :], strict=True), 1):
        if boxes:
            clause.box = plain_box(boxes[0])
            key = tuple(clause.box.values())
            if key in numbered:  # one sentence, several rules: one outline, "3,4"
                numbered[key]["label"] += f",{number}"
            else:
                numbered[key] = mark(boxes[0], str(number), CLAUSE_COLOR)
    marks.extend(numbered.values())
    if not marks:
        return [], {}
    counts = [
        f"{len(promises)} 处宣传承诺（黄色）" if promises else "",
        f"{len(flagged)} 条可质疑条款（红框编号）" if flagged else "",
    ]
    caption = (
        f"cancelscout · {platform} · {kind}: {' · '.join(c for c in counts if c)}\n"
        f"{url}\n{iso_ms(utc_now())}"
    )
    annotated: list[tuple[str, bytes]] = []
    crops: dict[int, tuple[str, bytes]] = {}
    size = page_size(page)
    with overlay(page, marks, caption):
        try:
            annotated.append((f"{slug}-annotated", shots.screenshot(page, masks, full_page=True)))
            for position, clause in enumerate(flagged[:MAX_CROPS]):
                if clause.box is None:
                    continue
                clip = crop_around(clause.box, size)
                data = shots.screenshot(page, masks, full_page=True, clip=clip)
                crops[position] = (f"{slug}-clause-{position + 1}", data)
        except PlaywrightError as exc:
            log.warning("annotation_failed", error=first_line(str(exc)))
    return annotated, crops
