"""Load one profile file into a :class:`Profile`, or fail with a message a person can act on.

Every problem is reported as ``FILE:LINE: KEY: what is wrong. How to fix it.`` — one line per
problem — and never as a traceback.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cancelscout.errors import ProfileError
from cancelscout.profiles.schema import Profile
from cancelscout.profiles.yamlsafe import Path_, YamlDocument, dotted, read_yaml


def profile_id_for_file(path: Path) -> str:
    """The id a file must declare: its name without ``.yaml``/``.yml`` and a leading ``_``."""
    return path.stem.lstrip("_")


def load_profile(path: Path, *, display: str | None = None) -> Profile:
    source = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(
            f"{source}: cannot read the file ({exc.strerror}).", path=source
        ) from None
    return parse_profile(raw, source, expected_id=profile_id_for_file(path))


def parse_profile(raw: bytes, source: str, *, expected_id: str | None = None) -> Profile:
    doc = read_yaml(raw, source)
    if not isinstance(doc.data, dict):
        raise ProfileError(
            f"{source}:{doc.line_of(())}: expected a mapping of keys (schema_version, id, name, "
            f"…) at the top level, got {_kind(doc.data)}. Start from site_profiles/_example.yaml.",
            path=source,
            line=doc.line_of(()),
        )
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as exc:
        # Problems in file order; missing keys (which have no line of their own) last.
        errors = sorted(exc.errors(), key=lambda e: e["type"] == "missing")
        problems = _dedupe([_describe(err, doc, source) for err in errors])
        first_line = problems[0][1]
        raise ProfileError(
            "\n".join(message for message, _line, _key in problems),
            path=source,
            line=first_line,
            key=problems[0][2],
        ) from None
    if expected_id is not None and profile.id != expected_id:
        line = doc.line_of(("id",))
        raise ProfileError(
            f"{source}:{line}: id: '{profile.id}' does not match the file name. Rename the file "
            f"to '{profile.id}.yaml' or set 'id: {expected_id}'.",
            path=source,
            line=line,
            key="id",
        )
    return profile


def _dedupe(items: list[tuple[str, int | None, str]]) -> list[tuple[str, int | None, str]]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item[0] not in seen:
            seen.add(item[0])
            out.append(item)
    return out


_ABSENT = object()


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _ABSENT)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _data_path(loc: tuple[int | str, ...], data: Any) -> Path_:
    """Keep the parts of a pydantic ``loc`` that index the document (drop union-member tags)."""
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        child = _child(node, part)
        if child is not _ABSENT:
            path.append(part)
            node = child
        elif position == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            path.append(part)  # a missing key: name it
    return tuple(path)


def _describe(err: ErrorDetails, doc: YamlDocument, source: str) -> tuple[str, int | None, str]:
    path = _data_path(err["loc"], doc.data)
    line = doc.line_of(path)
    key = dotted(path)
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(path[-1])
        allowed = sorted(_fields_at(path[:-1]))
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        problem = f"unknown key '{name}'.{hint} Allowed here: {', '.join(allowed)}."
        key = dotted(path[:-1])
    elif kind == "missing":
        problem = (
            f"missing required key '{path[-1]}'. Add it (see the annotated "
            "site_profiles/_example.yaml)."
        )
        key = dotted(path[:-1])
        line = doc.line_of(path[:-1])
    elif kind in ("value_error", "assertion_error"):
        problem = _sentence(
            err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        )
    else:
        problem = _sentence(f"{err['msg']}, got {_shown(err.get('input'))}")
    where = f"{source}:{line}" if line else source
    return f"{where}: {key}: {problem}", line, key


def _sentence(text: str) -> str:
    text = text[0].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text
    return text if text.endswith(".") else text + "."


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _fields_at(path: Path_) -> set[str]:
    """Field names of the model that sits at ``path`` in a profile."""
    model: type[BaseModel] = Profile
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return set()
        nested = _models_in(field.annotation)
        if not nested:
            return set()
        model = nested[0]
    return set(model.model_fields)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return []
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found
