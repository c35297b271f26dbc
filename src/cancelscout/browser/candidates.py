"""Collect what a person could act on in a page: links, buttons, menu items, tabs, switches,
clickable elements — in every frame and open shadow root — with the features scoring needs."""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page

from cancelscout.analysis.controls import Candidate
from cancelscout.browser import axtree
from cancelscout.browser.page_signals import CARD_CONTEXT_FN, ROW_LABEL_FN

# Runs in one frame. Returns visible actionable elements and hover triggers (elements whose
# subtree holds links that are hidden right now: pure-CSS dropdowns).
_COLLECT_JS = r"""(token) => {
  const CARD_CONTEXT = __CARD_CONTEXT__;
  const up = n => n.parentElement || (n.getRootNode && n.getRootNode().host) || null;
  const flat = n => (n.innerText || n.textContent || '').replace(/\s+/g, ' ').trim();
  const LANDMARK_TAGS = {header: 'banner', nav: 'navigation', aside: 'complementary',
    main: 'main', footer: 'contentinfo', dialog: 'dialog'};
  const ROLES = ['banner', 'navigation', 'complementary', 'main', 'contentinfo', 'dialog',
    'alertdialog', 'menu', 'menubar', 'tablist', 'search'];
  // The landmark as the accessibility tree would name it (a header inside a section is not
  // the page banner); axtree.py replaces it with Chromium's own answer where it can.
  const landmarkOf = el => {
    for (let n = up(el); n && n.nodeType === 1; n = up(n)) {
      const role = n.getAttribute('role');
      if (ROLES.includes(role)) return role;
      const tag = n.tagName.toLowerCase();
      if (LANDMARK_TAGS[tag]) {
        if ((tag === 'header' || tag === 'footer') && n.parentElement &&
            n.parentElement.closest('article, section, main, aside, nav')) continue;
        return LANDMARK_TAGS[tag];
      }
    }
    return '';
  };
  const rowLabel = __ROW_LABEL__;
  const describedBy = el => (el.getAttribute('aria-describedby') || '').split(/\s+/)
    .map(id => id && el.getRootNode().getElementById ? el.getRootNode().getElementById(id)
      : null).filter(Boolean).map(flat).join(' ').slice(0, 120);
  const ACTION = 'a[href], button, [role=button], [role=link], [role=menuitem], [role=tab], ' +
    '[role=switch], [role=checkbox], input[type=checkbox], input[type=button], ' +
    'input[type=submit], summary, [onclick]';
  const shown = el => el.checkVisibility ? el.checkVisibility({opacityProperty: true,
    visibilityProperty: true}) : !!(el.offsetWidth || el.offsetHeight);
  const cssPath = el => {
    if (el.id && document.querySelectorAll('#' + CSS.escape(el.id)).length === 1)
      return '#' + CSS.escape(el.id);
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && node !== document.documentElement;
         node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      const same = node.parentElement ? Array.from(node.parentElement.children)
        .filter(c => c.tagName === node.tagName) : [];
      if (same.length > 1) part += ':nth-of-type(' + (same.indexOf(node) + 1) + ')';
      parts.unshift(part);
      if (node.id && document.querySelectorAll('#' + CSS.escape(node.id)).length === 1) {
        parts[0] = '#' + CSS.escape(node.id); break;
      }
    }
    return parts.join(' > ');
  };
  const roleOf = el => {
    const explicit = el.getAttribute('role');
    if (explicit) return explicit;
    const tag = el.tagName.toLowerCase();
    if (tag === 'a' && el.hasAttribute('href')) return 'link';
    if (tag === 'button' || tag === 'summary') return 'button';
    if (tag === 'input') {
      const t = (el.getAttribute('type') || '').toLowerCase();
      if (t === 'checkbox') return 'checkbox';
      if (['button', 'submit'].includes(t)) return 'button';
    }
    return null;
  };
  // Text as the accessibility tree reads it: aria-hidden decorations (icon glyphs) left out.
  // Icon fonts that draw a glyph from a word ("expand_more", "support_agent") put that word
  // in the text and in the computed name; it is decoration, not what a person reads.
  const ICON = '[aria-hidden="true"], script, style, [class*=icon], [class*=Icon], ' +
    '[class*=material], [class*=mdi], [class*=fa-], [class*=glyph]';
  const ligatures = el => Array.from(el.querySelectorAll(ICON))
    .map(n => (n.textContent || '').trim()).filter(t => /^[a-z][a-z0-9_]*$/.test(t));
  const accText = el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll(ICON).forEach(n => {
      if (n.matches('[aria-hidden="true"], script, style') ||
          /^[a-z][a-z0-9_]*$|^[\ue000-\uf8ff\s]*$/.test((n.textContent || '').trim())) n.remove();
    });
    return (copy.textContent || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 80);
  };
  const out = [];
  const seen = new Set();
  const visit = (root, inShadow) => {
    const nodes = Array.from(root.querySelectorAll(ACTION));
    // Short-text elements styled as clickable (spans/divs/lis with cursor: pointer).
    root.querySelectorAll('li, span, div, i').forEach(el => {
      if (el.children.length > 2) return;
      const text = (el.innerText || '').trim();
      if (!text || text.length > 10) return;
      if (getComputedStyle(el).cursor === 'pointer') nodes.push(el);
    });
    for (const el of nodes) {
      if (seen.has(el)) continue;
      seen.add(el);
      if (!shown(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      const style = getComputedStyle(el);
      const hiddenLinks = Array.from(el.querySelectorAll('a[href], [role=menuitem], button'))
        .filter(x => x !== el && !shown(x)).length;
      const parentLi = el.closest('li');
      const hiddenSiblings = parentLi && parentLi !== el ? Array.from(
        parentLi.querySelectorAll('a[href], [role=menuitem]')).filter(x => !shown(x)).length : 0;
      el.setAttribute('data-cs-i', token + ':' + out.length);
      out.push({
        mark: token + ':' + out.length,
        tag: el.tagName.toLowerCase(), role: roleOf(el),
        text: (el.innerText || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 80),
        accText: accText(el), ligatures: ligatures(el),
        aria: el.getAttribute('aria-label'), title: el.getAttribute('title'),
        href: el.tagName === 'A' ? el.href : null, target: el.getAttribute('target'),
        type: (el.getAttribute('type') || '').toLowerCase(), inForm: !!el.closest('form'),
        checked: el.getAttribute('aria-checked') === 'true' || el.checked === true,
        id: el.id || '', cls: typeof el.className === 'string' ? el.className : '',
        x: r.x + window.scrollX, y: r.y + window.scrollY, w: r.width, h: r.height,
        vw: window.innerWidth,
        fontSize: parseFloat(style.fontSize) || 0,
        hasPopup: el.getAttribute('aria-haspopup') !== null ||
          el.getAttribute('aria-expanded') !== null,
        hiddenChildren: hiddenLinks + hiddenSiblings,
        inShadow, css: inShadow ? null : cssPath(el),
        labelText: (el.closest('label, tr, li, .row, .item, div') || el).innerText
          ?.replace(/\s+/g, ' ').trim().slice(0, 120) || '',
        context: CARD_CONTEXT(el),
        landmark: landmarkOf(el), rowLabel: rowLabel(el), describedBy: describedBy(el),
        hasImg: !!el.querySelector('img, svg, [class*=avatar]'),  // icon fonts are not images
      });
    }
    root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) visit(el.shadowRoot, true); });
  };
  visit(document, false);
  return out;
}""".replace("__CARD_CONTEXT__", CARD_CONTEXT_FN).replace("__ROW_LABEL__", ROW_LABEL_FN)

_FRAME_PATH_JS = """el => {
  if (el.id) return '#' + CSS.escape(el.id);
  if (el.name) return 'iframe[name="' + el.name + '"]';
  const all = Array.from(document.querySelectorAll('iframe'));
  return 'iframe >> nth=' + all.indexOf(el);
}"""


def _frame_path(frame: Frame) -> list[str]:
    path: list[str] = []
    current: Frame | None = frame
    while current is not None and current.parent_frame is not None:
        element = current.frame_element()
        path.insert(0, str(element.evaluate(_FRAME_PATH_JS)))
        current = current.parent_frame
    return path


def _without(name: str, info: dict[str, Any]) -> str:
    """The computed name without icon-font words and private-use glyphs."""
    words = [w for w in name.split() if w not in set(info.get("ligatures") or ())]
    return " ".join(
        "".join(ch for ch in w if not 0xE000 <= ord(ch) <= 0xF8FF) for w in words
    ).strip()


def collect(page: Page) -> list[Candidate]:
    """Every visible actionable element of the page, its frames and open shadow roots, read
    as the accessibility tree reads it (computed name, role, states, landmark)."""
    found: list[Candidate] = []
    for number, frame in enumerate(page.frames):
        with contextlib.suppress(PlaywrightError):  # a frame may detach mid-collection
            infos: list[dict[str, Any]] = frame.evaluate(_COLLECT_JS, str(number))
            frames = _frame_path(frame) if frame is not page.main_frame else []
            found.extend(Candidate(info, frames) for info in infos)
    tree = axtree.read(page)
    axtree.unmark(page)
    for candidate in found:
        ax = tree.get(str(candidate.info.get("mark")))
        if ax is None:
            continue
        if ax.get("landmark") or not candidate.info.get("landmark"):
            candidate.info["landmark"] = ax.get("landmark", "")
        candidate.info["axName"] = _without(ax.get("axName", ""), candidate.info)
        candidate.info["axRole"] = ax.get("axRole")
        if ax.get("haspopup") or "expanded" in ax:
            candidate.info["hasPopup"] = True
        if candidate.info.get("role") in ("switch", "checkbox") and "checked" in ax:
            candidate.info["checked"] = ax["checked"] in (True, "true", "mixed")
    return found
