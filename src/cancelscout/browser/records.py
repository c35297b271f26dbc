"""Record-like structures read off a live page, whatever their layout: table rows, cards, list
items, ``<dl>`` groups, in every frame and open shadow root.

A record is the smallest element holding exactly one order-number-like token together with a
date or an amount; its visible lines and its label/value pairs (``<dt>``/``<dd>``, a table's
header cells, "订单号：…" lines) go to ``analysis/orders.py``, which says what they mean.
"""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

RECORDS_JS = r"""() => {
  // Shapes only: which token is which field is decided in Python (analysis/orders.py).
  const TOKEN = /(?<![0-9A-Za-z])[A-Za-z]{0,6}[-_]?[0-9][0-9A-Za-z_-]{7,39}(?![0-9A-Za-z])/g;
  const DATE = /\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}/;
  const AMOUNT = /([¥￥$]|RMB|CNY|USD)\s*\d|\d(\.\d{1,2})?\s*(元|块)/i;
  const PHONE = /^1[3-9]\d{9}$/;
  // An order number: ten characters or more, six of them digits; not a date, not a mobile
  // number (a sales count or a price is shorter).
  const numbers = text => (text.match(TOKEN) || []).filter(t => t.length >= 10
    && (t.match(/\d/g) || []).length >= 6 && !DATE.test(t) && !PHONE.test(t));
  const lines = el => (el.innerText || el.textContent || '').split(/\n+/)
    .map(s => s.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const isRecord = el => {
    if (!el.getClientRects().length) return false;
    const text = (el.innerText || '').trim();
    if (!text || text.length > 1500) return false;
    return numbers(text).length === 1 && (DATE.test(text) || AMOUNT.test(text));
  };
  const pairs = el => {
    const out = [];
    el.querySelectorAll('dt').forEach(dt => {
      const dd = dt.nextElementSibling;
      if (dd && dd.tagName === 'DD') out.push([dt.innerText.trim(), dd.innerText.trim()]);
    });
    if (el.tagName === 'TR') {  // a row's cells are named by its table's header
      const table = el.closest('table');
      const head = table && (table.tHead ? table.tHead.rows[0] : table.rows[0]);
      if (head && head !== el) {
        const names = Array.from(head.cells).map(c => c.innerText.trim());
        Array.from(el.cells).forEach((c, i) => {
          if (names[i]) out.push([names[i], c.innerText.trim()]);
        });
      }
    }
    return out;
  };
  const out = [];
  const visit = root => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) visit(el.shadowRoot);
      if (['SCRIPT', 'STYLE', 'TEMPLATE', 'HEAD', 'HTML', 'BODY'].includes(el.tagName)) continue;
      if (!isRecord(el) || Array.from(el.children).some(isRecord)) continue;  // smallest only
      out.push({lines: lines(el), pairs: pairs(el)});
    }
  };
  visit(document);
  return out;
}"""


def page_records(page: Page) -> list[dict[str, Any]]:
    """The records of every frame of ``page`` (see module doc); a frame that fails is skipped."""
    records: list[dict[str, Any]] = []
    for frame in page.frames:
        with contextlib.suppress(PlaywrightError):
            records.extend(frame.evaluate(RECORDS_JS))
    return records
