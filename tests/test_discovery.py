"""Discovery: the entry found on sites with no profile, every choice explained in evidence.

Each fixture shop is searched from its home page with only a logged-in session; the site
fixture's teardown proves no dangerous endpoint was ever hit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.integrity.verify import verify_bundle
from cancelscout.profiles.loader import load_profile
from cancelscout.result import LocateResult
from cancelscout.runs.discover import DiscoveryRun, discover_cancel
from cancelscout.runs.learn import learned_profile_yaml
from cancelscout.runs.locate import LocateOptions, locate_cancel

Login = Callable[[str, SiteServer], Path]

CORPUS = [
    # site, profile used only to log in, the entry discovery must stop at, its friction grade
    ("multipage", "fx-multipage", "取消自动续费", "medium"),
    ("hover", "fx-hover", "关闭自动续费", "medium"),
    ("spa", "fx-spa", "取消订阅", "easy"),
    ("iframe", "fx-iframe", "退订会员", "hard"),
    ("shadow", "fx-shadow", "关闭自动续费", "easy"),
    ("secondroute", "fx-secondroute", "解除自动续费", "medium"),
    ("iconbtn", "fx-iconbtn", "关闭自动续费", "hard"),
    ("overflow", "fx-overflow", "取消自动续费", "easy"),
    ("confirmshame", "fx-confirmshame", "不再自动续费", "hard"),
    ("hamburger", "fx-hamburger", "关闭自动续费", "medium"),
    ("traditional", "fx-traditional", "取消自動續費", "medium"),
    ("english", "fx-english", "Turn off auto-renew", "easy"),
    ("switch", "fx-switch", "自动续费", "medium"),
]


@pytest.fixture
def discover(runtime: Runtime, tmp_path: Path) -> Callable[..., DiscoveryRun]:
    def run(server: SiteServer, session: Path | None, **options: object) -> DiscoveryRun:
        opts = LocateOptions(out_dir=tmp_path / "rec", session_file=session, timeout_s=5, **options)  # type: ignore[arg-type]
        return discover_cancel(server.url + "/", opts, runtime)

    return run


@pytest.mark.parametrize(
    ("site", "profile_id", "text", "grade"), CORPUS, ids=[c[0] for c in CORPUS]
)
def test_discovery_finds_entry_and_learns_a_replayable_profile(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    runtime: Runtime,
    discover: Callable[..., DiscoveryRun],
    tmp_path: Path,
    site: str,
    profile_id: str,
    text: str,
    grade: str,
) -> None:
    server = site_server(site)
    session = login_session(profile_id, server)
    run = discover(server, session)
    result = run.result
    assert result.status == "found", result.error
    assert result.mode == "discovery"
    assert result.entry is not None and result.entry.text == text
    assert result.breadcrumb()[-1] == text
    assert result.friction is not None
    assert result.friction.grade == grade, result.friction.reason
    bundle = Path(result.bundle or "")
    assert verify_bundle(bundle).status == "intact"
    records = [json.loads(line) for line in (bundle / "steps.jsonl").read_text().splitlines()]
    explore = [rec for rec in records if rec["action"] == "explore"]
    assert explore and all(rec["artifacts"] for rec in explore)  # every node is evidence
    assert any(rec.get("candidates") for rec in explore)  # with the scores that led on
    # The round trip: what discovery found becomes a profile that replays without discovery.
    path = tmp_path / f"learned-{site}.yaml"
    path.write_text(learned_profile_yaml(run, f"learned-{site}"), encoding="utf-8")
    profile = load_profile(path)
    assert profile.routes[0].target[0].kind == "role"  # role + name first, as Playwright advises
    replay = locate_cancel(
        profile,
        LocateOptions(
            out_dir=tmp_path / "rec",
            session_file=session,
            base_url=server.url + "/",
            profile_path=path,
            timeout_s=5,
        ),
        runtime,
    )
    assert replay.status == "found", replay.error
    assert replay.mode == "profile"
    assert replay.entry is not None and replay.entry.text == text
    assert replay.breadcrumb() == result.breadcrumb()


def test_discovery_demo_shop_through_hover_menu(
    login_session: Login,
    discover: Callable[..., DiscoveryRun],
    site_server: Callable[[str], SiteServer],
) -> None:
    from cancelscout.demo import DEMO_SITE

    server = site_server(str(DEMO_SITE))
    result = discover(server, login_session("demo-xingchen", server)).result
    assert result.status == "found"
    assert result.breadcrumb() == ["会员中心", "账户设置", "隐私管理", "关闭自动续费"]
    assert result.hovers == 1 and result.clicks == 2
    assert result.auto_renew == "on"
    friction = result.friction
    assert friction is not None and friction.grade == "hard"
    assert friction.needs_hover and friction.demoted
    assert "12px text" in friction.reason
    # An explore step on a page unchanged since the move that opened it names that move's
    # files instead of photographing the same page again; the bundle verifies all the same.
    bundle = Path(result.bundle or "")
    records = [json.loads(line) for line in (bundle / "steps.jsonl").read_text().splitlines()]
    reused = [rec for rec in records if "unchanged_since" in rec]
    assert reused and all(rec["action"] == "explore" for rec in reused)
    for rec in reused:
        assert rec["unchanged_since"] == rec["index"] - 1
        assert rec["artifacts"] == records[rec["index"] - 2]["artifacts"]
    assert verify_bundle(bundle).status == "intact"


def test_discovery_no_entry_proves_absence(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    discover: Callable[..., DiscoveryRun],
) -> None:
    server = site_server("noentry")
    result = discover(server, login_session("fx-noentry", server), max_actions=10).result
    assert result.status == "not_found"
    assert result.friction is not None and result.friction.grade == "impossible"
    assert len(result.explored) >= 2  # the start page and the membership centre
    assert all(node["screenshot"] for node in result.explored)
    assert {node["parent"] for node in result.explored} - {None} <= {
        node["node"] for node in result.explored
    }
    texts = {item["text"] for item in result.support}
    assert {"在线客服", "QQ 2850001234", "phone 400-123-4567"} <= texts
    assert any(item["text"] == "注销账号" for item in result.alternatives)
    # The report explains the search: the explored map, the grade, the service routes.
    report = Path(result.report or "").read_text("utf-8")
    assert 'id="explored-map"' in report
    assert report.count('<li style="margin-left:') >= len(result.explored)
    assert "无法自助取消" in report
    assert "在线客服" in report and "QQ 2850001234" in report


def test_discovery_without_session_is_login_required(
    site_server: Callable[[str], SiteServer],
    discover: Callable[..., DiscoveryRun],
) -> None:
    server = site_server("spa")
    result = discover(server, None).result
    assert result.status == "login_required"


def test_discovery_respects_page_budget(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    discover: Callable[..., DiscoveryRun],
) -> None:
    server = site_server("noentry")
    result = discover(server, login_session("fx-noentry", server), max_pages=2).result
    assert result.status == "not_found"
    assert result.pages_visited <= 3  # the budget stops the search once 2 pages were seen


def test_discovery_cli_url_mode(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cancelscout",
            "locate-cancel",
            "--url",
            server.url + "/",
            "--session",
            str(session),
            "--json",
            "--out",
            str(tmp_path),
            "--timeout",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "CANCELSCOUT_HOME": str(tmp_path / "home")},
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["mode"] == "discovery"
    assert result["entry"]["text"] == "取消自动续费"
    assert result["friction"]["grade"] == "medium", result["friction"]["reason"]


def test_discovery_is_the_fallback_of_a_drifted_profile(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate_file: Callable[..., LocateResult],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    drifted = (Path(__file__).parent / "profiles" / "fx-multipage.yaml").read_text("utf-8")
    drifted = drifted.replace(  # the site renamed its menu item
        "- click: {role: link, name: 会员服务}", "- click: {role: link, name: 会员权益}"
    )
    drifted += "discovery_fallback: true\n"
    path = tmp_path / "fx-multipage.yaml"
    path.write_text(drifted, encoding="utf-8")
    result = locate_file(path, server, session)
    assert result.status == "found"
    assert result.mode == "discovery"
    assert result.routes_tried == ["个人中心 › 会员服务", "discovery"]
    assert result.entry is not None and result.entry.text == "取消自动续费"
    assert verify_bundle(Path(result.bundle or "")).status == "intact"


def test_discovery_fallback_reports_the_friction_of_the_entry_it_found(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate_file: Callable[..., LocateResult],
    tmp_path: Path,
) -> None:
    """Regression: the fallback search measured the entry's style on a copy of the run, so a
    drifted profile reported an icon-only, not demoted, entry. The demo shop's entry is a 12px
    grey text link below the fold, and the run that fell back must say so."""
    from cancelscout.demo import DEMO_SITE

    server = site_server(str(DEMO_SITE))
    session = login_session("demo-xingchen", server)
    original = (Path(__file__).parents[1] / "site_profiles" / "demo-xingchen.yaml").read_text(
        "utf-8"
    )
    drifted = original.replace(  # the shop renamed its privacy page
        "- click: {role: link, name: 隐私管理, match: exact}",
        "- click: {role: link, name: 隐私中心, match: exact}",
    )
    assert drifted != original
    path = tmp_path / "demo-xingchen.yaml"
    path.write_text(drifted + "discovery_fallback: true\n", encoding="utf-8")
    result = locate_file(path, server, session)
    assert result.status == "found" and result.mode == "discovery"
    assert result.entry is not None and result.entry.text == "关闭自动续费"
    friction = result.friction
    assert friction is not None
    assert not friction.icon_only
    assert friction.demoted and friction.font_size == 12.0
    assert "12px text" in friction.reason
    assert friction.needs_scroll
    assert friction.grade == "hard"
