"""Data files shipped with the package (keyword model)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from cancelscout.profiles.yamlsafe import read_yaml


@cache
def keywords() -> dict[str, Any]:
    raw = resources.files(__name__).joinpath("keywords.yaml").read_bytes()
    data: dict[str, Any] = read_yaml(raw, "keywords.yaml").data  # only true/false are booleans
    return data
