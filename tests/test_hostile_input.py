"""Property-based tests: whatever document a user feeds the profile loader, only the documented
error type comes out (never a traceback of another kind)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cancelscout.errors import ProfileError
from cancelscout.profiles.loader import parse_profile
from cancelscout.profiles.schema import Profile

KEYS = [
    "schema_version",
    "id",
    "name",
    "base_url",
    "login",
    "routes",
    "url",
    "steps",
    "target",
    "click",
    "hover",
    "text",
    "role",
    "name",
    "match",
    "frame",
    "nth",
    "logged_in",
    "logged_out",
    "present",
    "url_contains",
    "auto_renew",
    "on",
    "off",
    "mask",
    "meta",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["exact", "regex", "(", "http://x/", "会员中心", "1"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=6
        ),
    ),
    max_leaves=40,
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(raw: bytes) -> None:
    try:
        result = parse_profile(raw, "fuzz.yaml")
    except ProfileError as exc:
        assert exc.message.startswith("fuzz.yaml")
        assert "Traceback" not in exc.message
    else:
        assert isinstance(result, Profile)


@SETTINGS
@given(documents)
def test_hostile_input_random_documents_only_raise_profile_error(document: Any) -> None:
    load(yaml.safe_dump(document, allow_unicode=True).encode())


@SETTINGS
@given(st.binary(max_size=400))
def test_hostile_input_random_bytes_only_raise_profile_error(raw: bytes) -> None:
    load(raw)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("abc: -[]{}&*!|>'\"#\n\t%@`,?会")), max_size=200))
def test_hostile_input_yaml_syntax_soup_only_raises_profile_error(text: str) -> None:
    load(text.encode())


VALID = {
    "schema_version": 1,
    "id": "shop",
    "name": "Shop",
    "base_url": "https://shop.example.com/",
    "login": {"url": "/login", "logged_out": [{"url_contains": "/login"}]},
    "routes": [
        {
            "name": "r",
            "steps": [{"click": {"text": "会员中心"}}],
            "target": [{"role": "link", "name": "取消自动续费"}],
        }
    ],
}


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(KEYS), scalars), max_size=4))
def test_hostile_input_mutated_valid_profile(mutations: list[tuple[str, Any]]) -> None:
    document: dict[str, Any] = {**VALID}
    route = {**VALID["routes"][0]}
    for key, value in mutations:
        (route if key in ("steps", "target", "click") else document)[key] = value
    document["routes"] = [route]
    load(yaml.safe_dump(document, allow_unicode=True).encode())
