"""Record-like structures read off a live page, whatever their layout: table rows, cards, list
items, ``<dl>`` groups, in every frame and open shadow root.

A record is found as the smallest element holding exactly one order-number-like token (or an
English shop's "#10023") together
with a date or an amount, then widened to the whole card or row around it (up while the parent
holds that one number and is neither a page section, a list nor a block with its own heading);
its visible lines and its label/value pairs (``<dt>``/``<dd>``, a row of a label and a value,
the header row above a row of cells, "订单号：…" lines) go to ``analysis/orders.py``, which
says what they mean.
"""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

RECORDS_JS = r"""() => {
  // Shapes only: which token is which field is decided in Python (analysis/orders.py).
  const TOKEN = /(?<![0-9A-Za-z])[A-Za-z]{0,6}[-_]?[0-9][0-9A-Za-z_-]{7,39}(?![0-9A-Za-z])/g;
  const DATE = new RegExp([
    String.raw`\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}`, String.raw`\d{1,2}/\d{1,2}/\d{4}`,
    String.raw`[A-Za-z]{3,9}\.? \d{1,2}, \d{4}`, String.raw`\d{1,2} [A-Za-z]{3,9}\.? \d{4}`,
  ].join('|'));
  const AMOUNT = /([¥￥$€£]|RMB|CNY|USD|HKD|TWD)\s*\d|\d(\.\d{1,2})?\s*(元|块|USD)/i;
  const PHONE = /^1[3-9]\d{9}$/;
  const HASH = /(?<![\w#])#\d{4,12}(?![0-9A-Za-z])/g;  // "Order #10023", as English shops write it
  const SECTION =
    /^(BODY|HTML|MAIN|SECTION|ARTICLE|ASIDE|NAV|HEADER|FOOTER|FORM|TABLE|TBODY|THEAD|UL|OL)$/;
  // An order number: ten characters or more, six of them digits; not a date, not a mobile
  // number (a sales count or a price is shorter). Looked for in each text node on its own,
  // so a label in the next <span> ("订单ID" + "2026…") is never glued onto the number.
  const texts = el => {
    const out = [];
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const parent = n.parentElement;  // a script's source or a hidden input's form is no text
      if (!parent || /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|TEXTAREA)$/.test(parent.tagName)) continue;
      if (/\d/.test(n.textContent) && !parent.getClientRects().length) continue;
      out.push(n.textContent);
    }
    return out;
  };
  const numbers = el => new Set(texts(el).flatMap(t => [
    ...(t.match(TOKEN) || []).filter(x => x.length >= 10 && (x.match(/\d/g) || []).length >= 6
      && !DATE.test(x) && !PHONE.test(x)),
    ...(t.match(HASH) || []).map(x => x.trim())]));
  // A record's lines: a row's cells, or its visible lines; a line that is only a row of links
  // or buttons ("查看详情 再次购买") is what one can do with the order, not part of it.
  const lines = el => {
    const raw = el.tagName === 'TR' ? Array.from(el.cells).map(c => c.innerText)
      : (el.innerText || el.textContent || '').split(/\n+/);
    const controls = Array.from(el.querySelectorAll('a,button,[role=button]'))
      .map(a => a.innerText.trim()).filter(Boolean);
    const onlyControls = line => {
      let rest = line;
      let count = 0;
      for (const c of controls) if (rest.includes(c)) { rest = rest.replace(c, ''); count++; }
      return count >= 2 && !rest.trim();
    };
    return raw.map(s => s.replace(/\s+/g, ' ').trim()).filter(s => s && !onlyControls(s));
  };
  const isRecord = el => {
    if (!el.getClientRects().length) return false;
    const text = (el.innerText || '').trim();
    if (!text || text.length > 1500) return false;
    return numbers(el).size === 1 && (DATE.test(text) || AMOUNT.test(text));
  };
  const heading = el => el.matches('h1,h2,h3,h4,h5,h6,[role=heading]');
  // The whole record, not the part of it holding the number: from the smallest element,
  // up while the parent still holds that one number, is not a page section or a list, and
  // has no heading of its own beside it (a card's price and item sit in siblings of its
  // header line).
  const widen = el => {
    for (let up = el.parentElement; up && !SECTION.test(up.tagName); up = up.parentElement) {
      if (numbers(up).size !== 1 || (up.innerText || '').length > 1500) break;
      const titled = c => heading(c) || c.querySelector('h1,h2,h3,h4,h5,h6');
      if (Array.from(up.children).some(c => !c.contains(el) && titled(c))) break;
      el = up;
    }
    return el;
  };
  const pairs = el => {
    const out = [];
    el.querySelectorAll('dt').forEach(dt => {
      const dd = dt.nextElementSibling;
      if (dd && dd.tagName === 'DD') out.push([dt.innerText.trim(), dd.innerText.trim()]);
    });
    // a label and its value as the two children of one row: <div><span>订单号</span><span>…
    el.querySelectorAll('*').forEach(row => {
      const kids = row.children;
      if (kids.length !== 2 || row.tagName === 'DL') return;
      const [k, v] = [kids[0].innerText.trim(), kids[1].innerText.trim()];
      if (k && v && k.length <= 12 && !/\d{3}/.test(k) && !/[:：]/.test(k)) out.push([k, v]);
    });
    // a row's cells named by a header row above it with as many cells (a table's header,
    // or the first row of a grid of divs)
    const cells = el.tagName === 'TR' ? Array.from(el.cells) : Array.from(el.children);
    const table = el.tagName === 'TR' ? el.closest('table') : null;
    const head = table ? (table.tHead ? table.tHead.rows[0] : table.rows[0])
      : el.parentElement && el.parentElement.firstElementChild;
    if (head && head !== el && cells.length >= 3) {
      const names = Array.from(table ? head.cells : head.children).map(c => c.innerText.trim());
      if (names.length === cells.length && numbers(head).size === 0) {
        cells.forEach((c, i) => { if (names[i]) out.push([names[i], c.innerText.trim()]); });
      }
    }
    return out;
  };
  const out = [];
  const seen = new Set();
  const visit = root => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) visit(el.shadowRoot);
      if (['SCRIPT', 'STYLE', 'TEMPLATE', 'HEAD', 'HTML', 'BODY'].includes(el.tagName)) continue;
      if (!isRecord(el) || Array.from(el.children).some(isRecord)) continue;  // smallest first
      const record = el.tagName === 'TR' ? el : widen(el);
      if (seen.has(record)) continue;
      seen.add(record);
      out.push({lines: lines(record), pairs: pairs(record), numbers: [...numbers(record)]});
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
