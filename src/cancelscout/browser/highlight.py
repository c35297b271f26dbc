"""Locate sentences and phrases in a live page, and outline them on an annotated copy.

Text found in the page's visible text (``innerText``) is searched again in the DOM's text nodes
with all white space ignored (innerText and text nodes differ in white space, never in words),
and each occurrence becomes a box in page coordinates: what a full-page screenshot and its
``clip`` use. The overlay is a temporary layer removed right after the screenshot, so the raw
screenshots stay unmarked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

OVERLAY_ID = "__cancelscout_marks__"

FIND_JS = """([needles, maxEach]) => {
  const nodes = [];
  const visit = root => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, parent = node.parentElement;
      if (parent && !['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(parent.tagName)) {
        nodes.push(node);
      }
    }
    root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) visit(el.shadowRoot); });
  };
  if (document.body) visit(document.body);
  let flat = '';
  const map = [];
  for (const node of nodes) {
    const data = node.data;
    for (let i = 0; i < data.length; i++) {
      if (!/\\s/.test(data[i])) { flat += data[i]; map.push([node, i]); }
    }
  }
  // A needle is a text, or [context, part]: the part inside that context (a phrase in its
  // sentence), so a word that appears in several places is boxed where it was quoted from.
  return needles.map(needle => {
    const [context, part] = Array.isArray(needle) ? needle : [needle, needle];
    const key = context.replace(/\\s+/g, '');
    const sub = part.replace(/\\s+/g, '');
    const offset = Math.max(0, key.indexOf(sub));
    const boxes = [];
    let from = 0;
    while (key && sub && boxes.length < maxEach) {
      const found = flat.indexOf(key, from);
      if (found < 0) break;
      from = found + key.length;
      const at = found + offset;
      const [startNode, startOffset] = map[at];
      const [endNode, endOffset] = map[at + sub.length - 1];
      const range = document.createRange();
      range.setStart(startNode, startOffset);
      range.setEnd(endNode, endOffset + 1);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
      if (!rects.length) continue;  // hidden text: not what the page shows
      const x = Math.min(...rects.map(r => r.left)), y = Math.min(...rects.map(r => r.top));
      const right = Math.max(...rects.map(r => r.right));
      const bottom = Math.max(...rects.map(r => r.bottom));
      boxes.push({x: x + window.scrollX, y: y + window.scrollY,
                  width: right - x, height: bottom - y,
                  rects: rects.map(r => ({x: r.left + window.scrollX, y: r.top + window.scrollY,
                                          width: r.width, height: r.height}))});
    }
    return boxes;
  });
}"""

OVERLAY_JS = """([marks, caption, id]) => {
  const layer = document.createElement('div');
  layer.id = id;
  const width = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  layer.style.cssText = `position:absolute;left:0;top:0;width:${width}px;height:0;` +
    'pointer-events:none;z-index:2147483647;';
  const pad = 3;
  for (const mark of marks) {
    for (const r of mark.rects) {
      const box = document.createElement('div');
      box.style.cssText = `position:absolute;left:${r.x - pad}px;top:${r.y - pad}px;` +
        `width:${r.width + 2 * pad}px;height:${r.height + 2 * pad}px;` +
        `border:3px solid ${mark.color};border-radius:3px;background:${mark.fill};`;
      layer.append(box);
    }
    if (mark.label) {
      const tag = document.createElement('div');
      tag.textContent = mark.label;
      tag.style.cssText = `position:absolute;left:${Math.max(28, mark.x - 6)}px;` +
        `top:${mark.y - 2}px;transform:translateX(-100%);white-space:nowrap;` +
        `min-width:18px;padding:0 4px;background:${mark.color};` +
        'color:#fff;font:bold 13px/20px sans-serif;text-align:center;border-radius:9px;';
      layer.append(tag);
    }
  }
  const bar = document.createElement('div');
  bar.textContent = caption;
  bar.style.cssText = 'position:absolute;right:8px;top:8px;max-width:60%;padding:6px 10px;' +
    'background:rgba(0,0,0,.8);color:#fff;font:13px/1.4 sans-serif;white-space:pre-wrap;' +
    'border-radius:4px;';
  layer.append(bar);
  document.documentElement.append(layer);
}"""

CLAUSE_COLOR = ("#e00000", "rgba(255,0,0,.08)")
PROMISE_COLOR = ("#d46b00", "rgba(255,214,0,.35)")


def find_boxes(
    page: Page, needles: list[str | tuple[str, str]], max_each: int = 3
) -> list[list[dict[str, Any]]]:
    """For each needle (a text, or a (context, part) pair), up to ``max_each`` boxes (page
    coordinates) of its visible occurrences."""
    if not needles:
        return []
    try:
        found: list[list[dict[str, Any]]] = page.evaluate(
            FIND_JS, [[list(n) if isinstance(n, tuple) else n for n in needles], max_each]
        )
    except PlaywrightError:
        return [[] for _ in needles]
    return found


def mark(box: dict[str, Any], label: str, colors: tuple[str, str]) -> dict[str, Any]:
    return {**box, "label": label, "color": colors[0], "fill": colors[1]}


@contextlib.contextmanager
def overlay(page: Page, marks: list[dict[str, Any]], caption: str) -> Iterator[None]:
    page.evaluate(OVERLAY_JS, [marks, caption, OVERLAY_ID])
    try:
        yield
    finally:
        with contextlib.suppress(PlaywrightError):
            page.evaluate(f"() => document.getElementById('{OVERLAY_ID}')?.remove()")


def plain_box(box: dict[str, Any]) -> dict[str, float]:
    return {k: round(float(box[k]), 1) for k in ("x", "y", "width", "height")}


def crop_around(
    box: dict[str, Any], page_size: tuple[float, float], margin: int = 40
) -> dict[str, float]:
    """A clip (page coordinates) around ``box`` with some context, inside the page (wider than
    tall: the lines around a sentence matter less than the start of its line)."""
    width, height = page_size
    x = max(0.0, float(box["x"]) - 3 * margin)
    y = max(0.0, float(box["y"]) - margin)
    right = min(width, float(box["x"]) + float(box["width"]) + 3 * margin)
    bottom = min(height, float(box["y"]) + float(box["height"]) + margin)
    return {"x": x, "y": y, "width": max(1.0, right - x), "height": max(1.0, bottom - y)}


def page_size(page: Page) -> tuple[float, float]:
    size: list[float] = page.evaluate(
        "() => [Math.max(document.documentElement.scrollWidth, document.body ? "
        "document.body.scrollWidth : 0), Math.max(document.documentElement.scrollHeight, "
        "document.body ? document.body.scrollHeight : 0)]"
    )
    return float(size[0]), float(size[1])
