"""Read candidates the way assistive technology does: Chromium's accessibility tree via CDP.

The DOM collector (``candidates.py``) finds what a person could act on and marks each element;
this module joins every mark to its node in the full accessibility tree and adds what the
browser itself computed: the accessible name (aria-labelledby, label, alt, title), the role,
the states (expanded, haspopup, checked) and the landmark the control sits in. Open shadow
roots and same-process frames are part of both trees. Where CDP is not available (a browser
other than Chromium) the collector's own reading stands.
"""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

MARK = "data-cs-i"
LANDMARKS = {
    "banner", "navigation", "complementary", "main", "contentinfo", "dialog", "alertdialog",
    "menu", "menubar", "tablist", "search",
}  # fmt: skip
STATES = ("expanded", "haspopup", "checked")  # the states the search reads
_UNMARK_JS = """mark => {
  const visit = root => root.querySelectorAll('*').forEach(el => {
    el.removeAttribute(mark);
    if (el.shadowRoot) visit(el.shadowRoot);
  });
  visit(document);
}"""


def _marks(node: dict[str, Any], out: dict[int, str]) -> None:
    """backendNodeId -> mark, for every marked node of the (pierced) DOM tree."""
    attrs = node.get("attributes") or []
    for i in range(0, len(attrs) - 1, 2):
        if attrs[i] == MARK:
            out[int(node["backendNodeId"])] = attrs[i + 1]
    for key in ("children", "shadowRoots"):
        for child in node.get(key) or []:
            _marks(child, out)
    if node.get("contentDocument"):
        _marks(node["contentDocument"], out)


def _value(prop: dict[str, Any] | None) -> Any:
    """An AXValue's value ({type, value}); properties wrap it once more ({name, value})."""
    value = None if prop is None else prop.get("value")
    return value.get("value") if isinstance(value, dict) else value


def _frame_ids(tree: dict[str, Any]) -> list[str]:
    ids = [str(tree["frame"]["id"])]
    for child in tree.get("childFrames") or []:
        ids.extend(_frame_ids(child))
    return ids


def _ax_nodes(cdp: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    tree = cdp.send("Page.getFrameTree")["frameTree"]
    for frame_id in _frame_ids(tree):
        with contextlib.suppress(PlaywrightError):  # an out-of-process frame has its own target
            nodes.extend(cdp.send("Accessibility.getFullAXTree", {"frameId": frame_id})["nodes"])
    return nodes


def read(page: Page) -> dict[str, dict[str, Any]]:
    """mark -> {axRole, axName, landmark, expanded, haspopup, checked, ...} for marked nodes."""
    try:
        cdp = page.context.new_cdp_session(page)
    except PlaywrightError:
        return {}
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        marks: dict[int, str] = {}
        _marks(document, marks)
        nodes = _ax_nodes(cdp)
    except PlaywrightError:
        return {}
    finally:
        with contextlib.suppress(PlaywrightError):
            cdp.detach()
    by_id = {str(n["nodeId"]): n for n in nodes}
    out: dict[str, dict[str, Any]] = {}
    for node in nodes:
        mark = marks.get(int(node.get("backendDOMNodeId") or -1))
        if mark is None or node.get("ignored"):
            continue
        props = {p["name"]: p for p in node.get("properties") or []}
        info: dict[str, Any] = {
            "axRole": _value(node.get("role")),
            "axName": str(_value(node.get("name")) or "").strip(),
            "landmark": _landmark(node, by_id),
        }
        for state in STATES:
            value = _value(props.get(state))
            if value not in (None, False, "false"):
                info[state] = value
        out[mark] = info
    return out


def _landmark(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    parent = by_id.get(str(node.get("parentId")))
    while parent is not None:
        role = _value(parent.get("role"))
        if role in LANDMARKS:
            return str(role)
        parent = by_id.get(str(parent.get("parentId")))
    return ""


def unmark(page: Page) -> None:
    for frame in page.frames:
        with contextlib.suppress(PlaywrightError):
            frame.evaluate(_UNMARK_JS, MARK)
