"""The click guard: describe the element that will receive the click, then judge it.

The description is read off the very element handle that is clicked next (no re-resolving in
between), from what the browser reads: its role, its text, its accessible-name sources
(``aria-labelledby``, ``aria-label``, ``<label for>``, ``alt`` of images inside, ``title``,
button values), the link or form it would follow or submit (a ``form=`` attribute included),
whether it toggles a setting, the heading of the card it sits in — and the same for the nearest
interactive element around it. ``analysis.safety.ClickRules`` judges; a refused control raises
and is never clicked (``actions.py``).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import ElementHandle

from cancelscout.analysis.safety import ClickRules, Verdict
from cancelscout.browser.page_signals import CARD_CONTEXT_FN, ROW_LABEL_FN

DESCRIBE_JS = r"""el => {
  const CARD_CONTEXT = __CARD_CONTEXT__;
  const ROW_LABEL = __ROW_LABEL__;
  const INTERACTIVE = 'a[href], area[href], button, input, select, textarea, summary, label, ' +
    '[role=button], [role=link], [role=menuitem], [role=tab], [role=switch], [role=checkbox], ' +
    '[role=radio], [role=option], [role=menuitemcheckbox], [role=menuitemradio], [onclick], ' +
    '[aria-checked], [aria-pressed]';
  const textOf = n => (n ? (n.innerText || n.textContent || '') : '')
    .replace(/\s+/g, ' ').trim().slice(0, 300);
  const up = n => n.parentElement || (n.getRootNode && n.getRootNode().host) || null;
  const implicitRole = (e, tag, type) => {
    if ((tag === 'a' || tag === 'area') && e.hasAttribute('href')) return 'link';
    if (tag === 'button' || tag === 'summary') return 'button';
    if (tag === 'select') return 'combobox';
    if (tag === 'input') {
      if (type === 'checkbox' || type === 'radio') return type;
      if (['button', 'submit', 'image', 'reset'].includes(type)) return 'button';
    }
    return null;
  };
  const describe = e => {
    const tag = e.tagName.toLowerCase();
    const type = (e.getAttribute('type') || '').toLowerCase();
    const role = e.getAttribute('role') || implicitRole(e, tag, type);
    const root = e.getRootNode();
    const byIds = attr => (e.getAttribute(attr) || '').split(/\s+/).filter(Boolean)
      .map(id => (root.getElementById ? root.getElementById(id) : null) ||
                 e.ownerDocument.getElementById(id))
      .filter(Boolean).map(n => textOf(n) || (n.textContent || '').trim()).filter(Boolean);
    const labels = e.labels ? Array.from(e.labels).map(textOf).filter(Boolean) : [];
    const alts = Array.from(e.querySelectorAll('img[alt], [role=img][aria-label], svg title'))
      .map(n => n.getAttribute('alt') || n.getAttribute('aria-label') || n.textContent || '')
      .map(s => s.trim()).filter(Boolean);
    if (tag === 'img' && e.getAttribute('alt')) alts.push(e.getAttribute('alt'));
    const form = e.form || null;  // the form owner, a form="…" attribute included
    const submitter = (tag === 'button' && (type === '' || type === 'submit')) ||
      (tag === 'input' && (type === 'submit' || type === 'image'));
    const control = tag === 'label' ? e.control : null;
    const toggles = ['switch', 'checkbox', 'radio', 'menuitemcheckbox', 'menuitemradio',
      'option'].includes(role) || e.hasAttribute('aria-checked') ||
      e.hasAttribute('aria-pressed') || (tag === 'input' && ['checkbox', 'radio'].includes(type)) ||
      !!(control && ['checkbox', 'radio'].includes((control.type || '').toLowerCase()));
    const context = CARD_CONTEXT(e);
    const buttonValue = tag === 'input' && ['button', 'submit', 'reset', 'image'].includes(type);
    const labelledby = byIds('aria-labelledby');
    const aria = e.getAttribute('aria-label');
    const text = textOf(e);
    return {
      tag, type, role, text, aria, labelledby, labels, alts,
      name: labelledby.join(' ') || aria || labels.join(' ') || text || alts.join(' ') ||
        e.getAttribute('title') || '',
      title: e.getAttribute('title'),
      value: buttonValue ? e.value : null,
      href: (tag === 'a' || tag === 'area') ? (e.href || null) : e.getAttribute('href'),
      target: e.getAttribute('target'),
      inForm: !!form,
      submits: !!(submitter && form) || (tag === 'button' && e.hasAttribute('formaction')),
      formAction: submitter && form ? (e.formAction || form.action || '') : '',
      toggles,
      context: [context, ROW_LABEL(e), byIds('aria-describedby').join(' ')].join(' ').trim()
        .slice(0, 200),
    };
  };
  const info = describe(el);
  for (let n = up(el); n && n.nodeType === 1; n = up(n)) {
    if (n.matches(INTERACTIVE)) { info.acting = describe(n); break; }
  }
  return info;
}""".replace("__CARD_CONTEXT__", CARD_CONTEXT_FN).replace("__ROW_LABEL__", ROW_LABEL_FN)


def describe_element(handle: ElementHandle) -> dict[str, Any]:
    info: dict[str, Any] = handle.evaluate(DESCRIBE_JS)
    return info


class ClickGuard(ClickRules):
    def inspect(self, handle: ElementHandle) -> tuple[dict[str, Any], Verdict]:
        """The element's description and the verdict on clicking it."""
        info = describe_element(handle)
        return info, self.judge(info)
