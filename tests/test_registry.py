"""The profile registry: drop-in files, duplicate ids, near-name suggestions, bundled profiles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from cancelscout.cli.profiles import profile_json_schema
from cancelscout.errors import ProfileNotFoundError
from cancelscout.profiles.loader import load_profile
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.profiles.yamlsafe import read_yaml

REPO = Path(__file__).parent.parent
BUNDLED = REPO / "site_profiles"
DEMO = BUNDLED / "demo-xingchen.yaml"


def bundled_files() -> list[Path]:
    return sorted(BUNDLED.glob("*.yaml")) + sorted((REPO / "tests" / "profiles").glob("*.yaml"))


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_registry_every_bundled_profile_is_valid(path: Path) -> None:
    profile = load_profile(path)
    assert profile.routes
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("# yaml-language-server: $schema="), "editor schema comment missing"


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_registry_bundled_profiles_match_json_schema(path: Path) -> None:
    schema = json.loads((REPO / "schema" / "profile.schema.json").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(read_yaml(path.read_bytes(), str(path)).data, default=str))
    jsonschema.validate(data, schema)


def test_registry_committed_json_schema_is_current() -> None:
    committed = (REPO / "schema" / "profile.schema.json").read_text(encoding="utf-8")
    assert committed == profile_json_schema(), (
        "run: cancelscout profiles schema --out schema/profile.schema.json"
    )


def test_registry_drop_in_file_is_found(tmp_path: Path) -> None:
    shutil.copy(DEMO, tmp_path / "demo-xingchen.yaml")
    registry = ProfileRegistry([tmp_path])
    profile, path = registry.get("demo-xingchen")
    assert profile.id == "demo-xingchen"
    assert path == tmp_path / "demo-xingchen.yaml"


def test_registry_skips_templates(tmp_path: Path) -> None:
    shutil.copy(BUNDLED / "_example.yaml", tmp_path / "_example.yaml")
    assert ProfileRegistry([tmp_path]).ids() == []


def test_registry_duplicate_id_warns_and_first_folder_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(DEMO, first / "demo-xingchen.yaml")
    shutil.copy(DEMO, second / "demo-xingchen.yaml")
    registry = ProfileRegistry([first, second])
    assert registry.get("demo-xingchen")[1] == first / "demo-xingchen.yaml"
    assert registry.warnings == [
        f"duplicate profile id 'demo-xingchen': using {first / 'demo-xingchen.yaml'}, "
        f"ignoring {second / 'demo-xingchen.yaml'}"
    ]


def test_registry_not_found_suggests_near_names(tmp_path: Path) -> None:
    shutil.copy(DEMO, tmp_path / "demo-xingchen.yaml")
    with pytest.raises(ProfileNotFoundError) as caught:
        ProfileRegistry([tmp_path]).get("demo-xingchn")
    assert caught.value.message == (
        "no site profile with id 'demo-xingchn'. Did you mean 'demo-xingchen'? Run 'cancelscout "
        f"profiles list' to see all 1 profiles; folders searched: {tmp_path}."
    )


def test_registry_rejects_path_like_ids(tmp_path: Path) -> None:
    with pytest.raises(ProfileNotFoundError) as caught:
        ProfileRegistry([tmp_path]).get("../../etc/passwd")
    assert caught.value.message == (
        "'../../etc/passwd' is not a valid profile id: use lowercase letters, digits, '-' and "
        "'_' (for example 'demo-xingchen')."
    )


def test_registry_lists_broken_profiles_with_their_error(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("schema_version: 1\nid: broken\n", encoding="utf-8")
    listed = ProfileRegistry([tmp_path]).list()
    assert [item.entry.id for item in listed] == ["broken"]
    assert listed[0].profile is None
    assert listed[0].error is not None and "missing required key 'name'" in listed[0].error
