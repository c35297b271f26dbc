"""Find the layer that blocks the page (a modal 公告, a full-screen mask) and its controls."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import ElementHandle, Page

# The topmost element at a few points of the viewport; climbing from it, the first ancestor
# that is fixed or a modal dialog and covers most of the viewport is the blocking layer.
FIND_LAYER_JS = r"""() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const covers = el => { const r = el.getBoundingClientRect();
    return r.width * r.height >= 0.15 * vw * vh; };
  const shown = el => el.checkVisibility ? el.checkVisibility({opacityProperty: true,
    visibilityProperty: true}) : !!(el.offsetWidth || el.offsetHeight);
  const modal = el => el.getAttribute('aria-modal') === 'true' ||
    ['dialog', 'alertdialog'].includes(el.getAttribute('role')) ||
    (el.tagName === 'DIALOG' && el.open);
  let layer = null;
  for (const [x, y] of [[0.5, 0.5], [0.5, 0.2], [0.2, 0.5], [0.8, 0.5]]) {
    for (let n = document.elementFromPoint(vw * x, vh * y); n && n !== document.body &&
         n !== document.documentElement; n = n.parentElement) {
      const style = getComputedStyle(n);
      if ((style.position === 'fixed' || modal(n)) && covers(n)) layer = n;
    }
    if (layer) break;
  }
  if (!layer) return null;
  const controls = Array.from(layer.querySelectorAll(
    'button, a[href], [role=button], input[type=button], input[type=submit], ' +
    '[class*=close], [class*=Close], [aria-label]')).filter(shown)
    .filter((el, i, all) => !all.some(o => o !== el && o.contains(el)));
  return {
    text: (layer.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 1000),
    hasForm: !!layer.querySelector('form, input:not([type=button]):not([type=submit]), ' +
      'textarea, select'),
    controls: controls.map(el => ({
      tag: el.tagName.toLowerCase(),
      text: (el.innerText || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 40),
      aria: el.getAttribute('aria-label'), title: el.getAttribute('title'),
      href: el.tagName === 'A' ? el.href : null,
      submits: (el.tagName === 'BUTTON' && (el.type || 'submit') === 'submit' &&
        !!el.closest('form')) || (el.tagName === 'INPUT' && el.type === 'submit'),
      closeClass: /close/i.test(typeof el.className === 'string' ? el.className : ''),
    })),
  };
}"""
# The same layer's controls as element handles, in the same order.
LAYER_CONTROLS_JS = FIND_LAYER_JS.replace(
    "  return {\n    text:", "  return controls;\n  return {\n    text:"
)


def blocking_layer(page: Page) -> dict[str, Any] | None:
    layer: dict[str, Any] | None = page.evaluate(FIND_LAYER_JS)
    return layer


def layer_control(page: Page, index: int) -> ElementHandle | None:
    handles = page.evaluate_handle(LAYER_CONTROLS_JS)
    try:
        element = handles.get_property(str(index)).as_element()
    finally:
        handles.dispose()
    return element
