"""Built-in masking of personal data in screenshots, DOM snapshots and the trace.

Mainland mobile numbers, resident ID numbers, bank card numbers (Luhn-checked, so order numbers
mostly survive) and e-mail addresses are masked by default; ``--no-redact`` keeps them for the
user's own records. Masking happens before anything is written or hashed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

KINDS: dict[str, str] = {
    # kind: regex source, valid in both Python and JavaScript
    "phone": r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])",
    "id_card": (
        r"(?<![0-9Xx])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
        r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9Xx])"
    ),
    "bank_card": r"(?<![0-9])[3-6][0-9]{3}(?:[ -]?[0-9]{4}){2,3}(?:[ -]?[0-9]{1,3})?(?![0-9])",
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
}
LABELS = {"phone": "手机号", "id_card": "身份证号", "bank_card": "银行卡号", "email": "邮箱"}
_COMPILED = {kind: re.compile(source) for kind, source in KINDS.items()}
MARK_ATTR = "data-cancelscout-redact"


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return len(digits) >= 15 and total % 10 == 0


def _accept(kind: str, value: str) -> bool:
    return kind != "bank_card" or luhn_ok(value)


def redact_text(text: str, seen: dict[str, set[str]] | None = None) -> str:
    """``text`` with personal data replaced by ``[已遮盖:kind]``; values found go into ``seen``."""

    def replacer(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            value = match.group(0)
            if not _accept(kind, value):
                return value
            if seen is not None:
                seen.setdefault(kind, set()).add(value)
            return f"[已遮盖:{LABELS[kind]}]"

        return replace

    for kind, pattern in _COMPILED.items():
        text = pattern.sub(replacer(kind), text)
    return text


# Wrap each match in the live page in a marked <span> so screenshots can mask it, and unwrap
# afterwards so the site keeps working. Walks open shadow roots too.
MARK_JS = """([kinds, attr]) => {
  const luhn = s => { const d = s.replace(/[^0-9]/g, ''); let t = 0;
    for (let i = 0; i < d.length; i++) { let n = +d[d.length - 1 - i];
      if (i % 2) { n *= 2; if (n > 9) n -= 9; } t += n; }
    return d.length >= 15 && t % 10 === 0; };
  const regexes = Object.entries(kinds).map(([k, src]) => [k, new RegExp(src, 'g')]);
  let marked = 0;
  const visit = root => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const parent = node.parentElement;
      if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
      const ranges = [];
      for (const [kind, re] of regexes) {
        re.lastIndex = 0; let m;
        while ((m = re.exec(node.data))) {
          if (kind !== 'bank_card' || luhn(m[0])) ranges.push([m.index, m.index + m[0].length]);
        }
      }
      if (!ranges.length) continue;
      ranges.sort((a, b) => a[0] - b[0]);
      const frag = document.createDocumentFragment(); let pos = 0;
      for (const [start, end] of ranges) {
        if (start < pos) continue;
        frag.append(node.data.slice(pos, start));
        const span = document.createElement('span');
        span.setAttribute(attr, '1'); span.textContent = node.data.slice(start, end);
        frag.append(span); pos = end; marked += 1;
      }
      frag.append(node.data.slice(pos));
      node.replaceWith(frag);
    }
    root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) visit(el.shadowRoot); });
  };
  if (document.body) visit(document.body);
  return marked;
}"""

UNMARK_JS = """(attr) => {
  const visit = root => {
    root.querySelectorAll('[' + attr + ']').forEach(span => {
      const parent = span.parentNode; span.replaceWith(span.textContent);
      if (parent) parent.normalize();
    });
    root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) visit(el.shadowRoot); });
  };
  if (document.body) visit(document.body);
}"""
