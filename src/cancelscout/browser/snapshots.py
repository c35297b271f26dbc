"""Take evidence from a live page: screenshots, DOM snapshots, the outlined entry.

Raw screenshots are never drawn on. The annotated copy is a separate screenshot taken with a
temporary overlay (outline + caption) that is removed right after, so the raw evidence and the
explanation for a reader stay distinct.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from cancelscout.analysis import pii as redact_mod

MASK_COLOR = "#202020"
MASK_TEXT = "[已遮盖 masked]"
OVERLAY_ID = "__cancelscout_overlay__"

_DOM_JS = """([maskSelectors, blankFields]) => {
  const original = Array.from(document.querySelectorAll('*'));
  const clone = document.documentElement.cloneNode(true);
  const copies = Array.from(clone.querySelectorAll('*'));
  copies.unshift(clone);
  original.unshift(document.documentElement);
  // Open shadow roots are invisible to outerHTML: keep them as declarative shadow DOM.
  original.forEach((el, i) => {
    if (el.shadowRoot && copies[i]) {
      const tpl = document.createElement('template');
      tpl.setAttribute('shadowrootmode', 'open');
      tpl.innerHTML = el.shadowRoot.innerHTML;
      copies[i].prepend(tpl);
    }
  });
  let masked = 0;
  const hidden = [];  // what the masks covered: kept out of the trace as well
  const keep = v => {
    v = (v || '').trim();
    if (v && v !== MASK_TEXT) hidden.push(v.slice(0, 500));
  };
  for (const sel of maskSelectors) {
    let found = [];
    try { found = clone.querySelectorAll(sel); } catch (e) { continue; }
    found.forEach(el => {
      // each text node on its own: the trace stores text nodes, not an element's joined text
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) keep(walker.currentNode.data);
      keep(el.getAttribute('value'));
      el.textContent = MASK_TEXT;
      for (const attr of ['value', 'title', 'alt', 'href', 'src']) el.removeAttribute(attr);
      masked += 1;
    });
  }
  clone.querySelectorAll('input').forEach(el => {
    if ((el.getAttribute('type') || '').toLowerCase() === 'password') el.removeAttribute('value');
  });
  if (blankFields) {  // as in screenshots: what was filled in about the user is not kept
    const textless = ['hidden', 'checkbox', 'radio', 'submit', 'button', 'reset', 'image',
      'file', 'range', 'color'];
    clone.querySelectorAll('input[value], textarea').forEach(el => {
      if (el.tagName === 'TEXTAREA') {
        if (el.textContent) { keep(el.textContent); el.textContent = MASK_TEXT; }
        return;
      }
      if (!textless.includes((el.getAttribute('type') || 'text').toLowerCase())
          && el.getAttribute('value')) {
        keep(el.getAttribute('value')); el.setAttribute('value', MASK_TEXT);
      }
    });
  }
  return {html: '<!DOCTYPE html>\\n' + clone.outerHTML, masked, hidden};
}""".replace("MASK_TEXT", repr(MASK_TEXT))

_OVERLAY_JS = """([box, caption, id]) => {
  const wrap = document.createElement('div');
  wrap.id = id;
  wrap.style.cssText = 'position:fixed;inset:0;pointer-events:none;z-index:2147483647;';
  const ring = document.createElement('div');
  const pad = 6;
  ring.style.cssText = `position:fixed;left:${box.x - pad}px;top:${box.y - pad}px;` +
    `width:${box.width + 2 * pad}px;height:${box.height + 2 * pad}px;` +
    'border:4px solid #e00000;border-radius:6px;box-shadow:0 0 0 4px rgba(255,255,0,.55);';
  const bar = document.createElement('div');
  bar.textContent = caption;
  bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;padding:6px 10px;' +
    'background:rgba(0,0,0,.78);color:#fff;font:13px/1.4 sans-serif;white-space:pre-wrap;';
  wrap.append(ring, bar);
  document.documentElement.append(wrap);
}"""


def mask_locators(page: Page, selectors: list[str]) -> list[Locator]:
    return [page.locator(sel) for sel in selectors]


def screenshot(
    page: Page,
    masks: list[str],
    *,
    redact: bool = False,
    secret: str | None = None,
    full_page: bool = False,
    clip: dict[str, float] | None = None,
) -> bytes:
    """A PNG with profile masks, known secrets (``secret``: a pattern, see
    ``integrity.scrub``), and (``redact``) personal data and text fields, painted over."""
    locators = mask_locators(page, masks)
    marked = []
    kinds = redact_mod.marking_kinds(redact, secret)
    if kinds:
        for frame in page.frames:
            try:
                frame.evaluate(redact_mod.MARK_JS, [kinds, redact_mod.MARK_ATTR, redact])
            except PlaywrightError:
                continue  # a frame detaching mid-capture has nothing left to show
            marked.append(frame)
            locators.append(frame.locator(f"[{redact_mod.MARK_ATTR}]"))
    kwargs: dict[str, Any] = {
        "full_page": full_page,
        "mask": locators,
        "mask_color": MASK_COLOR,
        "animations": "disabled",
        "caret": "hide",
    }
    if clip is not None:
        kwargs["clip"] = clip
    try:
        return page.screenshot(**kwargs)
    finally:
        for frame in marked:
            with contextlib.suppress(PlaywrightError):
                frame.evaluate(redact_mod.UNMARK_JS, redact_mod.MARK_ATTR)


def dom_snapshot(
    page: Page,
    masks: list[str],
    seen: dict[str, set[str]] | None = None,
    hidden: set[str] | None = None,
) -> tuple[bytes, int]:
    """Serialised DOM of the page and its frames, with masked elements blanked.

    With ``seen`` (redaction on), personal data and text field values are replaced too and the
    personal data found is collected there (in memory only) so the report can say what was
    masked. ``hidden`` collects the texts the masks covered (in memory only: the trace
    sanitiser removes them from the trace, whose DOM snapshots no mask reaches).
    """
    result: dict[str, Any] = page.evaluate(_DOM_JS, [masks, seen is not None])
    parts = [str(result["html"])]
    masked = int(result["masked"])
    covered = list(result["hidden"])
    for frame in page.frames[1:]:
        try:
            sub: dict[str, Any] = frame.evaluate(_DOM_JS, [masks, seen is not None])
        except Exception:
            continue
        parts.append(f"\n<!-- cancelscout: frame {frame.url} -->\n{sub['html']}")
        masked += int(sub["masked"])
        covered.extend(sub["hidden"])
    if hidden is not None:
        hidden.update(str(text) for text in covered)
    html = "".join(parts)
    if seen is not None:
        html = redact_mod.redact_text(html, seen)
    return html.encode("utf-8"), masked


def crop_box(
    box: dict[str, float], viewport: tuple[int, int], margin: int = 120
) -> dict[str, float]:
    x = max(0.0, box["x"] - margin)
    y = max(0.0, box["y"] - margin)
    right = min(float(viewport[0]), box["x"] + box["width"] + margin)
    bottom = min(float(viewport[1]), box["y"] + box["height"] + margin)
    return {"x": x, "y": y, "width": max(1.0, right - x), "height": max(1.0, bottom - y)}


def fits_viewport(page: Page) -> bool:
    """Would a full-page screenshot show no more than the viewport shows right now?"""
    fits: bool = page.evaluate(
        """() => {
          const d = document.documentElement, b = document.body;
          const w = Math.max(d.scrollWidth, b ? b.scrollWidth : 0);
          const h = Math.max(d.scrollHeight, b ? b.scrollHeight : 0);
          return w <= innerWidth && h <= innerHeight && scrollX === 0 && scrollY === 0;
        }"""
    )
    return fits


def crop_png(png: bytes, clip: dict[str, float], viewport: tuple[int, int]) -> bytes:
    """The ``clip`` rectangle (CSS pixels of the viewport) cut out of a viewport screenshot:
    the same pixels a clipped screenshot would give, without asking the browser again."""
    from PIL import Image  # only a run that found an entry needs it

    with Image.open(io.BytesIO(png)) as image:
        scale = image.width / viewport[0]  # device pixels per CSS pixel
        left, top = round(clip["x"] * scale), round(clip["y"] * scale)
        right = min(image.width, round((clip["x"] + clip["width"]) * scale))
        bottom = min(image.height, round((clip["y"] + clip["height"]) * scale))
        out = io.BytesIO()
        image.crop((left, top, max(right, left + 1), max(bottom, top + 1))).save(out, "PNG")
    return out.getvalue()


def annotated_screenshot(
    page: Page,
    box: dict[str, float],
    caption: str,
    masks: list[str],
    *,
    redact: bool = False,
    secret: str | None = None,
) -> bytes:
    page.evaluate(_OVERLAY_JS, [box, caption, OVERLAY_ID])
    try:
        return screenshot(page, masks, redact=redact, secret=secret)
    finally:
        page.evaluate(f"() => document.getElementById('{OVERLAY_ID}')?.remove()")
