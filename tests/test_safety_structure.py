"""Safety by construction, checked on the source: one choke point acts on pages.

Every click, hover, navigation, key press, fill, check or selection cancelscout makes on a page
goes through ``browser/actions.py``, where it is judged (click guard, network policy) and
recorded. This test reads every module of the package and fails on any other call of
Playwright's acting methods, so a new code path cannot act on a page unjudged.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cancelscout"
CHOKE_POINT = PACKAGE / "browser" / "actions.py"
# Playwright's methods that act on a page (Page, Frame, Locator, ElementHandle).
ACTING_METHODS = {
    "click", "dblclick", "tap", "hover", "fill", "type", "press", "press_sequentially",
    "check", "uncheck", "set_checked", "select_option", "select_text", "set_input_files",
    "dispatch_event", "drag_to", "drag_and_drop", "goto", "go_back", "go_forward", "reload",
}  # fmt: skip
# Page attributes that act through input devices.
INPUT_DEVICES = {"keyboard", "mouse", "touchscreen"}


def acting_calls(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        call = node.func if isinstance(node, ast.Call) else None
        if isinstance(call, ast.Attribute) and call.attr in ACTING_METHODS:
            found.append(f"{node.lineno}: .{call.attr}()")
        if isinstance(node, ast.Attribute) and node.attr in INPUT_DEVICES:
            found.append(f"{node.lineno}: .{node.attr}")
    return found


def test_safety_only_the_choke_point_acts_on_pages() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): calls
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != CHOKE_POINT
        and (calls := acting_calls(ast.parse(path.read_text("utf-8"), str(path))))
    }
    assert offenders == {}


def test_safety_checker_sees_a_hidden_click() -> None:
    planted = ast.parse(
        "def f(page):\n    x = page.locator('a')\n    x.click()\n    page.mouse.move(1, 1)\n"
    )
    assert acting_calls(planted) == ["3: .click()", "4: .mouse"]


def test_safety_choke_point_is_used() -> None:
    """The choke point acts (so the test above is not vacuous)."""
    assert len(acting_calls(ast.parse(CHOKE_POINT.read_text("utf-8")))) >= 5
