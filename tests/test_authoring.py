"""Profile authoring tools: scaffold a profile, and test one step by step."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cancelscout.demo.server import SiteServer
from cancelscout.profiles.loader import load_profile

TESTS = Path(__file__).parent


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cancelscout", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CANCELSCOUT_HOME": str(home)},
    )


def test_authoring_new_scaffolds_a_valid_commented_profile(tmp_path: Path) -> None:
    proc = cli(
        "profiles",
        "new",
        "my-shop",
        "--url",
        "https://www.my-shop.cn/",
        "--name",
        "我的卡盟",
        "--to",
        str(tmp_path),
        home=tmp_path / "home",
    )
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "my-shop.yaml"
    profile = load_profile(path)
    assert (profile.id, profile.name, profile.base_url) == (
        "my-shop",
        "我的卡盟",
        "https://www.my-shop.cn/",
    )
    assert profile.allowed_domains == ["*.my-shop.cn"]
    text = path.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "# A LOCATOR is exactly one of these" in text  # the explanations come along
    again = cli(
        "profiles",
        "new",
        "my-shop",
        "--url",
        "https://www.my-shop.cn/",
        "--to",
        str(tmp_path),
        home=tmp_path / "home",
    )
    assert again.returncode == 2 and "pass --force" in again.stderr


def test_authoring_test_names_the_failing_step_and_the_alternatives(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = (
        (TESTS / "profiles" / "fx-multipage.yaml")
        .read_text("utf-8")
        .replace(
            "- click: {role: link, name: 会员服务}", "- click: {role: link, name: 会员服務中心}"
        )
    )
    (folder / "fx-multipage.yaml").write_text(profile, encoding="utf-8")
    proc = cli(
        "profiles",
        "test",
        "fx-multipage",
        "--profiles",
        str(folder),
        "--session",
        str(session),
        "--base-url",
        server.url + "/",
        "--out",
        str(tmp_path / "rec"),
        "--timeout",
        "2",
        home=tmp_path / "home",
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("✗") and "click" in line)
    assert "会员服務中心" in lines[failed]
    assert lines[failed + 1].startswith("    the page offered instead: 会员服务 (")
    assert "result: not_found" in proc.stdout


def test_authoring_test_all_runs_every_saved_profile_and_names_the_one_that_failed(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    tmp_path: Path,
) -> None:
    folder, home = tmp_path / "profiles", tmp_path / "home"
    folder.mkdir()
    (home / "sessions").mkdir(parents=True)
    for site in ("hover", "english", "noentry"):
        server = site_server(site)
        text = (TESTS / "profiles" / f"fx-{site}.yaml").read_text("utf-8")
        text = text.replace("base_url: http://127.0.0.1:9/", f"base_url: {server.url}/")
        (folder / f"fx-{site}.yaml").write_text(text, encoding="utf-8")
        session = login_session(f"fx-{site}", server)
        saved = home / "sessions" / f"fx-{site}.json"
        saved.write_bytes(session.read_bytes())
        saved.chmod(0o600)  # as 'cancelscout login' saves it
    proc = cli(
        "profiles", "test", "--all", "--profiles", str(folder), "--out", str(tmp_path / "rec"),
        "--timeout", "3", home=home,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # noentry's not_found decides the exit code
    lines = proc.stdout.splitlines()
    assert [line for line in lines if line.startswith("fx-")] == [
        "fx-english",
        "fx-hover",
        "fx-noentry",
    ]
    results = [line.split(";")[0] for line in lines if line.startswith("result: ")]
    assert results == ["result: found", "result: found", "result: not_found"]
    assert lines[-1] == "2/3 profiles reached their entry"


def test_authoring_test_refuses_a_session_for_several_profiles(tmp_path: Path) -> None:
    proc = cli(
        "profiles", "test", "fx-hover", "fx-english", "--session", str(tmp_path / "s.json"),
        "--profiles", str(TESTS / "profiles"), home=tmp_path / "home",
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--session and --base-url belong to one profile: name one ID." in proc.stderr
