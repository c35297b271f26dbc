"""The house keeps its rooms: the import rules of ARCHITECTURE.md, checked on the source.

Every import of every module under ``src/cancelscout`` is read with ``ast`` (those inside
functions too: a lazy import is still a dependency), and each must go to a room its own room may
use. On top of that: no import cycle between modules, no Playwright in the rooms that work on
text and files, only ``cli/`` parses arguments and prints, and no module past the size limit.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cancelscout"
MAX_LINES = 400

# Modules at the package's top level are the core every room may use.
CORE = "core"
# room -> the rooms it may import (itself and the core always).
ALLOWED: dict[str, set[str]] = {
    CORE: set(),
    "profiles": set(),
    "data": {"profiles"},
    "analysis": {"data", "profiles"},
    "integrity": {"analysis"},
    "output": {"analysis", "data", "integrity", "profiles"},
    "browser": {"analysis", "data", "profiles"},
    "demo": set(),
    "runs": {"analysis", "browser", "data", "demo", "integrity", "output", "profiles"},
    "cli": {"analysis", "browser", "data", "demo", "integrity", "output", "profiles", "runs"},
}
# Rooms that work on text, numbers and files: no browser library at all.
NO_PLAYWRIGHT = {CORE, "profiles", "data", "analysis", "integrity", "output", "demo"}
# Argument parsing and terminal printing belong to cli/ alone.
CLI_ONLY_LIBRARIES = ("typer", "click", "argparse", "rich.console")
# `python -m cancelscout.demo.server ROOT` is the fixture server's own developer entry point.
MAY_PRINT = {"cancelscout.demo.server"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def room_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and not (PACKAGE / parts[1]).is_dir()):
        return CORE
    return parts[1]


@cache
def sources() -> dict[str, ast.Module]:
    return {
        module_name(path): ast.parse(path.read_text("utf-8"), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def imported_modules(module: str, tree: ast.Module) -> set[str]:
    """Every module ``module`` imports, resolved to the most specific existing module."""
    known = sources()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                is_package = (PACKAGE.parent / Path(*package) / "__init__.py").exists()
                anchor = package if is_package else package[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return found


def internal_imports() -> dict[str, set[str]]:
    return {
        module: {m for m in imported_modules(module, tree) if m.split(".")[0] == "cancelscout"}
        for module, tree in sources().items()
    }


def forbidden_imports(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(graph.items()):
        room = room_of(module)
        if module == "cancelscout.__main__":
            continue  # `python -m cancelscout` starts the CLI
        for target in sorted(targets):
            other = room_of(target)
            if other not in {room, CORE} | ALLOWED[room]:
                wrong.append(f"{module} ({room}/) imports {target} ({other}/)")
    return wrong


def test_architecture_rooms_import_only_what_they_may() -> None:
    assert forbidden_imports(internal_imports()) == []


def test_architecture_nothing_imports_cli() -> None:
    importers = [
        module
        for module, targets in internal_imports().items()
        if room_of(module) != "cli"
        and module != "cancelscout.__main__"
        and any(room_of(t) == "cli" for t in targets)
    ]
    assert importers == []


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_architecture_has_no_import_cycle() -> None:
    assert import_cycles(internal_imports()) == []


@pytest.mark.parametrize("room", sorted(NO_PLAYWRIGHT))
def test_architecture_text_rooms_never_import_playwright(room: str) -> None:
    users = [
        module
        for module, tree in sources().items()
        if room_of(module) == room
        and any(m.split(".")[0] == "playwright" for m in imported_modules(module, tree))
    ]
    assert users == []


def test_architecture_only_cli_parses_arguments_and_prints() -> None:
    wrong = []
    for module, tree in sources().items():
        if room_of(module) == "cli":
            continue
        for target in imported_modules(module, tree):
            if target.startswith(CLI_ONLY_LIBRARIES):
                wrong.append(f"{module} imports {target}")
        if module in MAY_PRINT:
            continue
        for node in ast.walk(tree):
            call = node.func if isinstance(node, ast.Call) else None
            if isinstance(call, ast.Name) and call.id == "print":
                wrong.append(f"{module}:{node.lineno} calls print()")
            if (
                isinstance(call, ast.Attribute)
                and call.attr == "write"
                and isinstance(call.value, ast.Attribute)
                and call.value.attr in ("stdout", "stderr")
            ):
                wrong.append(f"{module}:{node.lineno} writes to sys.{call.value.attr}")
    assert wrong == []


def test_architecture_modules_stay_small() -> None:
    big = {
        module_name(path): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}


def test_architecture_every_room_is_described() -> None:
    text = (PACKAGE.parents[1] / "ARCHITECTURE.md").read_text("utf-8")
    rooms = {room_of(module) for module in sources()} - {CORE}
    assert set(ALLOWED) - {CORE} == rooms
    missing = [room for room in sorted(rooms) if f"`{room}/`" not in text]
    assert missing == []


def test_architecture_checker_reports_an_upward_import_and_a_cycle() -> None:
    """The checker itself: a planted lazy upward import and a planted cycle are both caught."""
    tree = ast.parse("def f():\n    from cancelscout.runs.locate import LocateRun\n")
    planted = {"cancelscout.analysis.fake": imported_modules("cancelscout.analysis.fake", tree)}
    assert forbidden_imports(planted) == [
        "cancelscout.analysis.fake (analysis/) imports cancelscout.runs.locate (runs/)"
    ]
    cycle = {"cancelscout.cli.a": {"cancelscout.cli.b"}, "cancelscout.cli.b": {"cancelscout.cli.a"}}
    assert import_cycles(cycle) == [["cancelscout.cli.a", "cancelscout.cli.b"]]
