"""The command line as a user runs it: a separate process, real exit codes, real output."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cancelscout.demo.server import SiteServer

TESTS = Path(__file__).parent
PROFILES = TESTS / "profiles"
RESULT_KEYS = {
    "status",
    "platform",
    "mode",
    "entry",
    "path",
    "clicks",
    "pages_visited",
    "auto_renew",
    "bundle",
    "duration_s",
    "error",
}


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cancelscout", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "LANG": "C.UTF-8", **(env or {})},
    )


def test_cli_locate_json_contract_and_exit_code(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    proc = run_cli(
        "locate-cancel",
        "fx-multipage",
        "--session",
        str(session),
        "--json",
        "--profiles",
        str(PROFILES),
        "--base-url",
        server.url + "/",
        "--out",
        str(tmp_path / "rec"),
        "--timeout",
        "5",
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert set(result) >= RESULT_KEYS
    assert result["status"] == "found"
    assert result["mode"] == "profile"
    assert set(result["entry"]) >= {"text", "page_url", "href", "locator", "screenshot"}
    assert result["entry"]["href"].endswith("/api/danger/turn-off-autorenew")
    assert [step["action"] for step in result["path"]] == ["goto", "click", "click", "entry"]
    assert all(set(step) == {"action", "label", "url"} for step in result["path"])
    assert Path(result["bundle"]).is_dir()


def test_cli_login_then_locate_with_saved_session(
    site_server: Callable[[str], SiteServer],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    home = tmp_path / "home"
    env = {"CANCELSCOUT_HOME": str(home), "CANCELSCOUT_PASSWORD": "demo123"}
    proc = run_cli(
        "login",
        "fx-multipage",
        "--username",
        "demo",
        "--profiles",
        str(PROFILES),
        "--base-url",
        server.url + "/",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    saved = home / "sessions" / "fx-multipage.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert "demo123" not in proc.stderr + proc.stdout
    proc = run_cli(
        "locate-cancel",
        "fx-multipage",
        "--profiles",
        str(PROFILES),
        "--lang",
        "en",
        "--base-url",
        server.url + "/",
        "--out",
        str(tmp_path / "rec"),
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Cancel entry found" in proc.stdout
    assert "Path: 个人中心 › 会员服务 › 取消自动续费" in proc.stdout
    assert "Auto-renew: on" in proc.stdout


def test_cli_login_wrong_password_exits_3(
    site_server: Callable[[str], SiteServer],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    proc = run_cli(
        "login",
        "fx-multipage",
        "--username",
        "demo",
        "--profiles",
        str(PROFILES),
        "--base-url",
        server.url + "/",
        env={"CANCELSCOUT_HOME": str(tmp_path), "CANCELSCOUT_PASSWORD": "wrong"},
    )
    assert proc.returncode == 3
    assert "did not succeed" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_missing_session_exits_3_with_login_command(
    site_server: Callable[[str], SiteServer],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    proc = run_cli(
        "locate-cancel",
        "fx-multipage",
        "--profiles",
        str(PROFILES),
        "--json",
        "--base-url",
        server.url + "/",
        "--out",
        str(tmp_path / "rec"),
        env={"CANCELSCOUT_HOME": str(tmp_path / "home")},
    )
    assert proc.returncode == 3
    result = json.loads(proc.stdout)
    assert result["status"] == "login_required"
    assert result["login_command"] == f"cancelscout login fx-multipage --base-url {server.url}/"


def test_cli_no_entry_exits_1(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    tmp_path: Path,
) -> None:
    server = site_server("noentry")
    session = login_session("fx-noentry", server)
    proc = run_cli(
        "locate-cancel",
        "fx-noentry",
        "--session",
        str(session),
        "--json",
        "--profiles",
        str(PROFILES),
        "--base-url",
        server.url + "/",
        "--out",
        str(tmp_path / "rec"),
        "--timeout",
        "2",
    )
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["status"] == "not_found"
    assert result["entry"] is None
    assert (Path(result["bundle"]) / "manifest.json").is_file()


def test_cli_unreachable_site_exits_4(tmp_path: Path) -> None:
    proc = run_cli(
        "locate-cancel",
        "fx-multipage",
        "--profiles",
        str(PROFILES),
        "--json",
        "--base-url",
        "http://127.0.0.1:9/",
        "--out",
        str(tmp_path / "rec"),
        env={"CANCELSCOUT_HOME": str(tmp_path / "home")},
    )
    assert proc.returncode == 4
    result = json.loads(proc.stdout)
    assert result["status"] == "error"
    assert result["error"].startswith("cannot open http://127.0.0.1:9/user/index.html")


def test_cli_without_platform_or_url_exits_2() -> None:
    proc = run_cli("locate-cancel")
    assert proc.returncode == 2
    assert "missing PLATFORM (a profile id, see 'cancelscout profiles list') or --url URL" in (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr


def test_cli_unknown_profile_exits_2_with_suggestion() -> None:
    proc = run_cli("locate-cancel", "demo-xingchn")
    assert proc.returncode == 2
    assert "Did you mean 'demo-xingchen'?" in proc.stderr


def test_cli_bad_profile_exits_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(
        "schema_version: 1\nid: broken\nname: b\nbase_url: http://x/\nlogin: {url: /}\n"
        "routes: []\n",
        encoding="utf-8",
    )
    proc = run_cli("locate-cancel", "broken", "--profiles", str(tmp_path))
    assert proc.returncode == 2
    assert "broken.yaml:5: login: login needs at least one rule" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_profiles_list_show_check(tmp_path: Path) -> None:
    listed = run_cli("profiles", "list", "--profiles", str(PROFILES))
    assert listed.returncode == 0, listed.stderr
    assert "demo-xingchen" in listed.stdout and "fx-spa" in listed.stdout
    shown = run_cli("profiles", "show", "demo-xingchen")
    assert shown.returncode == 0
    assert "id: demo-xingchen" in shown.stdout and "隐私管理" in shown.stdout
    checked = run_cli("profiles", "check")
    assert checked.returncode == 0, checked.stdout
    assert "_example.yaml: example" in checked.stdout
    (tmp_path / "bad.yaml").write_text("schema_version: 2\n", encoding="utf-8")
    bad = run_cli("profiles", "check", str(tmp_path / "bad.yaml"))
    assert bad.returncode == 2
    assert "bad.yaml:1: schema_version: input should be 1, got 2." in bad.stdout


def test_cli_doctor_reports_browser_and_font() -> None:
    proc = run_cli("doctor")
    assert proc.returncode == 0, proc.stdout
    assert "✓ browser:" in proc.stdout
    assert "✓ CJK font:" in proc.stdout


def test_cli_doctor_fails_with_fix_for_missing_browser(tmp_path: Path) -> None:
    proc = run_cli("doctor", "--browser", str(tmp_path / "no-chrome"))
    assert proc.returncode == 1
    assert "✗ browser:" in proc.stdout
    assert "fix: Install one with 'python -m playwright install chromium'" in proc.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_demo_end_to_end(tmp_path: Path, lang: str) -> None:
    proc = run_cli("demo", "--json", "--out", str(tmp_path), "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "found"
    assert result["entry"]["text"] == "关闭自动续费"
    assert [s["label"] for s in result["path"][1:]] == [
        "会员中心",
        "账户设置",
        "隐私管理",
        "关闭自动续费",
    ]
    assert result["auto_renew"] == "on"
    report = Path(result["report"]).read_text(encoding="utf-8")
    assert ('<html lang="zh-CN">' if lang == "zh" else '<html lang="en">') in report
    # the report shows the bundle's own annotated screenshot (no second copy of it)
    annotated = result["entry"]["screenshot"]
    assert f'id="annotated" src="{annotated}"' in report
    assert (Path(result["report"]).parent / annotated).is_file()


def test_cli_fresh_user_data_dir_is_login_required(
    site_server: Callable[[str], SiteServer], tmp_path: Path
) -> None:
    server = site_server("multipage")
    proc = run_cli(
        "locate-cancel",
        "fx-multipage",
        "--user-data-dir",
        str(tmp_path / "chrome-profile"),
        "--profiles",
        str(PROFILES),
        "--base-url",
        server.url + "/",
        "--json",
        "--out",
        str(tmp_path / "rec"),
        "--timeout",
        "3",
    )
    assert proc.returncode == 3, proc.stderr
    assert json.loads(proc.stdout)["status"] == "login_required"
    assert (tmp_path / "chrome-profile").is_dir()


@pytest.mark.parametrize(
    ("first", "second"), [("--session", "--user-data-dir"), ("--session", "--cookies")]
)
def test_cli_two_login_sources_together_exit_2(tmp_path: Path, first: str, second: str) -> None:
    proc = run_cli(
        "locate-cancel", "demo-xingchen", first, str(tmp_path / "a"), second, str(tmp_path / "b")
    )
    assert proc.returncode == 2
    assert (
        "use one of --session, --cookies, --cookies-from-browser, --user-data-dir or --cdp, "
        f"not {first} and {second}." in proc.stderr
    )
