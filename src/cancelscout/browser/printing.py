"""PDF prints through Chromium (``page.pdf``), with personal data masked before printing.

Screenshots can paint masks over pixels; a PDF carries the text itself, so painting is not
enough: while a page is printed (or its visible text read), the profile's masked elements, the
session's secrets and every phone / ID / bank card / e-mail value and text field (found with
``redact.MARK_JS``) really hold a mask text, and the originals are put back right after
(``redact.UNMARK_JS``). Chromium embeds the (subset) fonts it prints with, so Chinese text
stays Chinese on any machine.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, PdfMargins

from cancelscout.analysis import pii as redact_mod
from cancelscout.browser.actions import Actions
from cancelscout.browser.runtime import Runtime
from cancelscout.browser.snapshots import MASK_TEXT

_MASK_JS = """([kinds, labels, attr, selectors, maskText, redact]) => {
  const saved = {masks: [], spans: [], fields: []};
  for (const sel of selectors) {
    let found = [];
    try { found = document.querySelectorAll(sel); } catch (e) { continue; }
    found.forEach(el => {
      saved.masks.push([el, Array.from(el.childNodes)]);
      el.replaceChildren(document.createTextNode(maskText));
    });
  }
  if (redact) {
    const tests = Object.entries(kinds).map(([k, src]) => [k, new RegExp('^(?:' + src + ')$')]);
    const visit = root => {
      root.querySelectorAll('[' + attr + ']').forEach(span => {
        if (span.getAttribute(attr) === 'field') {  // a text field or a personal <select>
          if (span.tagName === 'SELECT') {
            const option = new Option('[已遮盖]', '', true, true);
            saved.fields.push([span, span.selectedIndex, option]); span.add(option, 0);
            span.selectedIndex = 0;
          } else { saved.fields.push([span, span.value, null]); span.value = '[已遮盖]'; }
          return;
        }
        const text = span.textContent;
        const hit = tests.find(([k, re]) => re.test(text));
        saved.spans.push([span, text]);
        span.textContent = '[已遮盖:' + ((hit && labels[hit[0]]) || '个人信息') + ']';
      });
      root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) visit(el.shadowRoot); });
    };
    if (document.body) visit(document.body);
  }
  window.__cancelscoutMasked = saved;
  return saved.masks.length + saved.spans.length + saved.fields.length;
}"""

_RESTORE_JS = """() => {
  const saved = window.__cancelscoutMasked;
  if (!saved) return;
  for (const [span, text] of saved.spans) span.textContent = text;
  for (const [el, value, option] of saved.fields) {
    if (option) { option.remove(); el.selectedIndex = value; } else el.value = value;
  }
  for (const [el, nodes] of saved.masks) el.replaceChildren(...nodes);
  delete window.__cancelscoutMasked;
}"""

TEXT_JS = "() => document.body ? document.body.innerText : ''"


@contextlib.contextmanager
def masked(
    page: Page, masks: list[str], *, redact: bool, secret: str | None = None
) -> Iterator[None]:
    """While inside, every frame shows mask texts instead of masked content, known secrets
    (``secret``, a pattern) and, when redacting, personal data and text field values."""
    done: list[Frame] = []
    kinds = redact_mod.marking_kinds(redact, secret)
    try:
        for frame in page.frames:
            try:
                if kinds:
                    frame.evaluate(redact_mod.MARK_JS, [kinds, redact_mod.MARK_ATTR, redact])
                frame.evaluate(
                    _MASK_JS,
                    [
                        redact_mod.KINDS,
                        redact_mod.LABELS,
                        redact_mod.MARK_ATTR,
                        masks,
                        MASK_TEXT,
                        bool(kinds),
                    ],
                )
            except PlaywrightError:
                continue  # a frame detaching mid-capture has nothing left to print
            done.append(frame)
        yield
    finally:
        for frame in done:
            with contextlib.suppress(PlaywrightError):
                frame.evaluate(_RESTORE_JS)
                frame.evaluate(redact_mod.UNMARK_JS, redact_mod.MARK_ATTR)


def page_title(page: Page) -> str:
    """The page's title ("" when the page is gone or navigating)."""
    try:
        return page.title()
    except PlaywrightError:
        return ""


def visible_text(page: Page) -> str:
    """The visible text of the page and of each frame (call inside :func:`masked`)."""
    parts = [str(page.main_frame.evaluate(TEXT_JS))]
    for frame in page.frames[1:]:
        try:
            parts.append(f"\n[frame {frame.url}]\n{frame.evaluate(TEXT_JS)}")
        except PlaywrightError:
            continue
    return "".join(parts)


def _a4(page: Page, *, vertical_mm: int, horizontal_mm: int) -> bytes:
    v, h = f"{vertical_mm}mm", f"{horizontal_mm}mm"
    margin: PdfMargins = {"top": v, "bottom": v, "left": h, "right": h}
    return page.pdf(format="A4", print_background=True, margin=margin)


def print_pdf(page: Page) -> bytes:
    """The page as PDF, laid out as on screen (print CSS often hides what the user saw)."""
    page.emulate_media(media="screen")
    try:
        return _a4(page, vertical_mm=10, horizontal_mm=8)
    finally:
        with contextlib.suppress(PlaywrightError):
            page.emulate_media(media="null")


_OPEN_DETAILS_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  return Promise.all(Array.from(document.images).map(img => img.complete ? null :
    new Promise(done => { img.onload = img.onerror = done; })));
}"""


def file_to_pdf(runtime: Runtime, html_file: Path, *, timeout_s: float = 30.0) -> bytes:
    """Print a local HTML file (a report, a letter) with every <details> opened."""
    context = runtime.new_context(java_script_enabled=True)
    try:
        context.set_default_timeout(timeout_s * 1000)
        page = context.new_page()
        Actions.open_local_file(page, html_file)
        page.evaluate(_OPEN_DETAILS_JS)
        return _a4(page, vertical_mm=12, horizontal_mm=10)
    finally:
        with contextlib.suppress(PlaywrightError):
            context.close()


def html_to_pdf(runtime: Runtime, html: str, *, timeout_s: float = 30.0) -> bytes:
    """Print an HTML document (a letter) to PDF through Chromium."""
    with tempfile.TemporaryDirectory(prefix="cancelscout-print-") as tmp:
        page = Path(tmp) / "document.html"
        page.write_text(html, encoding="utf-8")
        return file_to_pdf(runtime, page, timeout_s=timeout_s)
