"""A YAML reader for user-written files: line numbers kept, traps removed.

- Only ``true``/``false`` are booleans (YAML 1.1 would turn ``on``/``off``/``no`` into booleans,
  which silently breaks keys like ``auto_renew.on`` and texts like ``text: no``).
- Anchors and aliases are refused: profiles never need them and they make "billion laughs"
  documents possible.
- Duplicate keys are refused instead of silently keeping the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from cancelscout.errors import ProfileError

MAX_BYTES = 1024 * 1024
Path_ = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AliasRefused(event.start_mark.line + 1)
        return super().compose_node(parent, index)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _AliasRefused(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest existing prefix of ``path`` (1-based)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def read_yaml(raw: bytes, source: str) -> YamlDocument:
    """Parse ``raw`` (the bytes of file ``source``) or raise :class:`ProfileError`."""
    if len(raw) > MAX_BYTES:
        raise ProfileError(
            f"{source}: the file is {len(raw) / 1e6:.1f} MB; a profile may be at most 1 MiB. "
            "Is this really a site profile?",
            path=source,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            f"{source}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}). "
            "Save the file as UTF-8.",
            path=source,
        ) from None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # control characters, found before parsing starts
        raise ProfileError(
            f"{source}: the file contains a control character (code {exc.character:#04x}) "
            f"at offset {exc.position}. Profiles are plain UTF-8 text.",
            path=source,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProfileError(
                f"{source}: the file is empty. Start from site_profiles/_example.yaml.",
                path=source,
            )
        lines: dict[Path_, int] = {(): node.start_mark.line + 1}
        _map_lines(node, (), lines, source)
        data = loader.construct_document(node)
    except _AliasRefused as exc:
        raise ProfileError(
            f"{source}:{exc.line}: YAML anchors and aliases (&name / *name) are not allowed in "
            "profiles. Write the value out in full.",
            path=source,
            line=exc.line,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        where = f"{source}:{line}" if line else source
        raise ProfileError(
            f"{where}: YAML syntax error: {exc.problem or exc.context}. "
            "Check the indentation and quoting on this line and the one before.",
            path=source,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{source}: YAML error: {exc}", path=source) from None
    finally:
        loader.dispose()
    return YamlDocument(data, lines)


def _map_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int], source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ProfileError(
                    f"{source}:{line}: {dotted((*path, key))}: duplicate key '{key}'. "
                    "Keep only one of them.",
                    path=source,
                    line=line,
                    key=dotted((*path, key)),
                )
            seen.add(key)
            lines[(*path, key)] = line
            _map_lines(value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _map_lines(item, (*path, index), lines, source)


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
