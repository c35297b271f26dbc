"""Built-in masking of personal data in screenshots, DOM snapshots and the trace.

Mainland mobile numbers, resident ID numbers (check digit and birth date checked, GB 11643),
bank card numbers (Luhn-checked) and e-mail addresses are masked by default, so an order number
that merely looks like one survives as the evidence it is. In screenshots the values of text
fields (what the user or the site filled in about the user) are masked too. ``--no-redact``
keeps all of it for the user's own records. Masking happens before anything is written or
hashed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import luhn
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

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
LABELS = {
    "phone": "手机号",
    "id_card": "身份证号",
    "bank_card": "银行卡号",
    "email": "邮箱",
    "secret": "会话密钥",
}
_COMPILED = {kind: re.compile(source) for kind, source in KINDS.items()}
MARK_ATTR = "data-cancelscout-redact"


def marking_kinds(redact: bool, secret: str | None) -> dict[str, str]:
    """What the live page marks for masking: personal data when redacting, and the session's
    own secrets (a pattern, ``integrity.scrub.Secrets.pattern``) always."""
    kinds = dict(KINDS) if redact else {}
    if secret:
        kinds["secret"] = secret
    return kinds


def luhn_ok(number: str) -> bool:
    """A bank card number: at least 15 digits and a valid Luhn check digit."""
    digits = "".join(c for c in number if c.isdigit())
    return len(digits) >= 15 and luhn.is_valid(digits)


def id_number_ok(number: str) -> bool:
    """A resident ID number: a real birth date and the right check digit (python-stdnum). The
    region code is not required to be known: an unlisted new district is still a person's ID."""
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return False
    return ric.calc_check_digit(number) == number[-1].upper()


def _accept(kind: str, value: str) -> bool:
    if kind == "bank_card":
        return luhn_ok(value)
    if kind == "id_card":
        return id_number_ok(value)
    return True


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
MARK_JS = """([kinds, attr, fields]) => {
  const luhn = s => { const d = s.replace(/[^0-9]/g, ''); let t = 0;
    for (let i = 0; i < d.length; i++) { let n = +d[d.length - 1 - i];
      if (i % 2) { n *= 2; if (n > 9) n -= 9; } t += n; }
    return d.length >= 15 && t % 10 === 0; };
  // GB 11643: weighted sum mod 11 gives the check character; the birth date must exist.
  const idOk = s => { const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let t = 0; for (let i = 0; i < 17; i++) t += (+s[i]) * w[i];
    const y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14);
    const born = new Date(Date.UTC(y, m - 1, d));
    return '10X98765432'[t % 11] === s[17].toUpperCase() && born.getUTCFullYear() === y
      && born.getUTCMonth() === m - 1 && born.getUTCDate() === d; };
  const accept = (kind, v) => kind === 'bank_card' ? luhn(v) : kind === 'id_card' ? idOk(v) : true;
  // Text fields hold what the user or the site filled in about the user: when redacting
  // (``fields``) their values are masked whatever they say, a <select> only when its choice is
  // personal data; a field holding a session secret always.
  const TEXTLESS = ['hidden', 'checkbox', 'radio', 'submit', 'button', 'reset', 'image', 'file',
    'range', 'color'];
  const found = (v, own) => regexes.some(([k, re]) => own(k) && (re.lastIndex = 0,
    (m => m && accept(k, m[0]))(re.exec(v))));
  const markFields = root => root.querySelectorAll('input, textarea, select').forEach(el => {
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (el.tagName === 'INPUT' && TEXTLESS.includes(type)) return;
    const value = el.tagName === 'SELECT'
      ? Array.from(el.selectedOptions).map(o => o.text).join(' ') : el.value;
    if (!value) return;
    const secret = found(value, k => k === 'secret');
    const personal = el.tagName !== 'SELECT' || found(value, k => k !== 'secret');
    if (!secret && !(fields && personal)) return;
    el.setAttribute(attr, 'field'); marked += 1;
  });
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
          if (accept(kind, m[0])) ranges.push([m.index, m.index + m[0].length]);
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
    markFields(root);
    root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) visit(el.shadowRoot); });
  };
  if (document.body) visit(document.body);
  return marked;
}"""

UNMARK_JS = """(attr) => {
  const visit = root => {
    root.querySelectorAll('[' + attr + ']').forEach(el => {
      if (el.getAttribute(attr) === 'field') { el.removeAttribute(attr); return; }
      const parent = el.parentNode; el.replaceWith(el.textContent);
      if (parent) parent.normalize();
    });
    root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) visit(el.shadowRoot); });
  };
  if (document.body) visit(document.body);
}"""
