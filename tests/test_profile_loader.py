"""Profile loading errors: each names file, line, key, what was expected and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from cancelscout.errors import ProfileError
from cancelscout.profiles.loader import load_profile, parse_profile

VALID = """\
schema_version: 1
id: shop
name: Shop
base_url: https://shop.example.com/
login:
  url: /login
  logged_out:
    - url_contains: /login
routes:
  - name: main
    steps:
      - click: {text: 会员中心}
    target:
      - {role: link, name: 取消自动续费}
"""


def error_of(text: str, source: str = "shop.yaml") -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text.encode(), source, expected_id="shop")
    return caught.value.message


def test_loader_accepts_valid_profile() -> None:
    profile = parse_profile(VALID.encode(), "shop.yaml", expected_id="shop")
    assert profile.routes[0].steps[0].click is not None
    assert profile.routes[0].target[0].role == "link"


def test_loader_unknown_key_suggests_the_right_one() -> None:
    message = error_of(VALID.replace("- click:", "- clik:"))
    assert message == (
        "shop.yaml:12: routes[0].steps[0]: unknown key 'clik'. Did you mean 'click'? "
        "Allowed here: click, frame, goto, hover, label, optional, scroll, timeout_s, wait_for."
    )


def test_loader_unknown_top_level_key() -> None:
    message = error_of(VALID.replace("name: Shop", "nmae: Shop"))
    assert message.splitlines()[0] == (
        "shop.yaml:3: (top level): unknown key 'nmae'. Did you mean 'name'? Allowed here: "
        "allow_requests, allowed_domains, auto_renew, base_url, challenge, discovery_fallback, "
        "evidence, id, "
        "login, mask, meta, name, "
        "routes, schema_version."
    )
    assert "missing required key 'name'" in message


def test_loader_missing_key_names_parent_and_fix() -> None:
    message = error_of(VALID.replace("    target:\n      - {role: link, name: 取消自动续费}\n", ""))
    assert message == (
        "shop.yaml:10: routes[0]: missing required key 'target'. Add it (see the annotated "
        "site_profiles/_example.yaml)."
    )


def test_loader_wrong_literal_lists_choices() -> None:
    message = error_of(VALID.replace("name: 取消自动续费}", "name: 取消自动续费, match: exactly}"))
    assert message == (
        "shop.yaml:14: routes[0].target[0].match: input should be 'exact', 'contains' or "
        "'regex', got 'exactly'."
    )


def test_loader_locator_with_two_kinds() -> None:
    message = error_of(VALID.replace("{text: 会员中心}", "{text: 会员中心, css: '#vip'}"))
    assert message == (
        "shop.yaml:12: routes[0].steps[0].click: a locator needs exactly one of role, label, "
        "text, title, test_id, css, xpath (found: text, css)."
    )


def test_loader_step_with_two_actions() -> None:
    message = error_of(
        VALID.replace(
            "- click: {text: 会员中心}", "- click: {text: 会员中心}\n        hover: {text: 我的}"
        )
    )
    assert message == (
        "shop.yaml:12: routes[0].steps[0]: a step needs exactly one action of goto, click, "
        "hover, wait_for, scroll, frame (found: click, hover)."
    )


def test_loader_wrong_type() -> None:
    message = error_of(VALID.replace("  - name: main", "  - name: [main]"))
    assert message == "shop.yaml:10: routes[0].name: input should be a valid string, got a list."


def test_loader_bad_regex() -> None:
    message = error_of(VALID.replace("{text: 会员中心}", "{text: '会员(', match: regex}"))
    assert message.startswith("shop.yaml:12: routes[0].steps[0].click: invalid regex '会员(':")


def test_loader_id_must_match_file_name() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(VALID.encode(), "other.yaml", expected_id="other")
    assert caught.value.message == (
        "other.yaml:2: id: 'shop' does not match the file name. Rename the file to "
        "'shop.yaml' or set 'id: other'."
    )


def test_loader_rejects_bad_base_url() -> None:
    message = error_of(VALID.replace("https://shop.example.com/", "shop.example.com"))
    assert message == (
        "shop.yaml:4: base_url: expected an http(s) URL like https://www.example.com/, "
        "got 'shop.example.com'."
    )


def test_loader_yaml_syntax_error_has_line() -> None:
    message = error_of(VALID.replace("name: Shop", "name: [Shop"))
    assert message.startswith("shop.yaml:4: YAML syntax error: ")
    assert message.endswith("Check the indentation and quoting on this line and the one before.")


def test_loader_refuses_aliases() -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    assert error_of(bomb) == (
        "shop.yaml:1: YAML anchors and aliases (&name / *name) are not allowed in profiles. "
        "Write the value out in full."
    )


def test_loader_refuses_duplicate_keys() -> None:
    assert error_of(VALID + "name: Again\n") == (
        "shop.yaml:15: name: duplicate key 'name'. Keep only one of them."
    )


def test_loader_empty_file() -> None:
    assert error_of("") == "shop.yaml: the file is empty. Start from site_profiles/_example.yaml."


def test_loader_top_level_list() -> None:
    assert error_of("- a\n- b\n") == (
        "shop.yaml:1: expected a mapping of keys (schema_version, id, name, …) at the top level, "
        "got a list. Start from site_profiles/_example.yaml."
    )


def test_loader_non_utf8() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(b"name: \xff\xfe", "shop.yaml")
    assert caught.value.message == (
        "shop.yaml: not UTF-8 text (byte 0xff at offset 6). Save the file as UTF-8."
    )


def test_loader_refuses_huge_file() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(b"#" * (10 * 1024 * 1024), "shop.yaml")
    assert caught.value.message == (
        "shop.yaml: the file is 10.5 MB; a profile may be at most 1 MiB. "
        "Is this really a site profile?"
    )


def test_loader_on_off_stay_strings() -> None:
    text = VALID + "auto_renew:\n  on: {text: 'no'}\n  off: [{text: yes}]\n"
    profile = parse_profile(text.encode(), "shop.yaml", expected_id="shop")
    assert profile.auto_renew is not None
    assert profile.auto_renew.on[0].text == "no"
    assert profile.auto_renew.off[0].text == "yes"


def test_loader_string_shorthand_is_text_locator() -> None:
    profile = parse_profile(VALID.replace("{text: 会员中心}", "会员中心").encode(), "shop.yaml")
    assert profile.routes[0].steps[0].click is not None
    assert profile.routes[0].steps[0].click.text == "会员中心"


def test_loader_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "missing.yaml")
    assert caught.value.message.endswith(
        "missing.yaml: cannot read the file (No such file or directory)."
    )


def test_loader_control_character() -> None:
    assert error_of("name: a\x00b\n") == (
        "shop.yaml: the file contains a control character (code 0x00) at offset 7. "
        "Profiles are plain UTF-8 text."
    )
