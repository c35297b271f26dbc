"""locate-cancel end to end against the local fixture sites (see tests/sites/*/README.md).

The ``site_server`` fixture asserts on teardown that no dangerous endpoint was hit.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.integrity.bundle import sha256_file
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.result import LocateResult
from cancelscout.runs.login import login_interactive

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
Locate = Callable[..., LocateResult]
Login = Callable[[str, SiteServer], Path]

FOUND_CASES = [
    # site, profile, entry text, breadcrumb, auto-renew, entry page (suffix)
    (
        "multipage",
        "fx-multipage",
        "取消自动续费",
        ["个人中心", "会员服务", "取消自动续费"],
        "on",
        "/user/vip.html",
    ),
    (
        "hover",
        "fx-hover",
        "关闭自动续费",
        ["我的", "会员管理", "关闭自动续费"],
        "on",
        "/user/manage.html",
    ),
    ("spa", "fx-spa", "取消订阅", ["账户", "订阅管理", "取消订阅"], "on", "#/account/subscription"),
    ("iframe", "fx-iframe", "退订会员", ["会员中心", "退订会员"], "on", "/user/center.html"),
    (
        "shadow",
        "fx-shadow",
        "关闭自动续费",
        ["账户设置", "关闭自动续费"],
        "on",
        "/user/account.html",
    ),
    (
        "secondroute",
        "fx-secondroute",
        "解除自动续费",
        ["账户设置", "隐私管理", "解除自动续费"],
        "on",
        "/user/privacy.html",
    ),
]


@pytest.mark.parametrize(
    ("site", "profile_id", "text", "crumbs", "renew", "page"),
    FOUND_CASES,
    ids=[c[0] for c in FOUND_CASES],
)
def test_locate_finds_entry_on_fixture_site(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
    site: str,
    profile_id: str,
    text: str,
    crumbs: list[str],
    renew: str,
    page: str,
) -> None:
    server = site_server(site)
    session = login_session(profile_id, server)
    result = locate(profile_id, server, session)
    assert result.status == "found", result.error
    assert result.entry is not None
    assert result.entry.text == text
    assert result.breadcrumb() == crumbs
    assert result.auto_renew == renew
    assert result.entry.page_url.endswith(page)
    assert result.clicks == sum(1 for s in result.path if s.action == "click")
    bundle = Path(result.bundle or "")
    for shot in (
        result.entry.screenshot,
        result.entry.full_page_screenshot,
        result.entry.crop_screenshot,
    ):
        assert shot is not None and (bundle / shot).stat().st_size > 1000


def test_locate_iframe_entry_reports_frame_document(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    server = site_server("iframe")
    result = locate("fx-iframe", server, login_session("fx-iframe", server))
    assert result.entry is not None
    assert result.entry.frame_url is not None
    assert result.entry.frame_url.endswith("/user/frame-member.html")


def test_locate_second_route_used_after_first_fails(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    server = site_server("secondroute")
    result = locate("fx-secondroute", server, login_session("fx-secondroute", server))
    assert result.routes_tried == ["会员中心", "账户设置 › 隐私管理"]
    assert result.route == "账户设置 › 隐私管理"
    records = read_steps(Path(result.bundle or ""))
    assert [r["outcome"] for r in records if r["action"] == "target"] == ["not_found"]


def test_locate_no_entry_is_not_found_with_bundle(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    server = site_server("noentry")
    result = locate("fx-noentry", server, login_session("fx-noentry", server), timeout_s=2.0)
    assert result.status == "not_found"
    assert result.entry is None
    bundle = Path(result.bundle or "")
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "not_found"
    assert (bundle / "report.html").is_file()
    assert [r["action"] for r in read_steps(bundle)][-2:] == ["stop", "close"]
    # The other ways out the route met are reported with the absence.
    support = {item["text"] for item in result.support}
    assert "在线客服" in support
    assert "phone 400-123-4567" in support


LATE_WIDGET = (
    "<p id='tick'>0</p><script>let n = 0; const t = setInterval(() => {"
    "document.getElementById('tick').textContent = ++n;"
    "if (n === 6) { clearInterval(t); const a = document.createElement('a');"
    "a.href = '/api/danger/cancel-renew'; a.textContent = '关闭自动续费';"
    "document.body.append(a); } }, 300);</script></body>"
)


def test_locate_target_of_a_page_still_changing_gets_its_grace(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
    tmp_path: Path,
) -> None:
    # The entry arrives 1.8 s after load, the page ticking every 300 ms until then: a page
    # that keeps changing has not settled, so its absence is not concluded early.
    root = tmp_path / "site"
    shutil.copytree(SITES / "noentry", root)
    page = root / "user" / "index.html"
    page.write_text(page.read_text("utf-8").replace("</body>", LATE_WIDGET), encoding="utf-8")
    server = site_server(str(root))
    result = locate("fx-noentry", server, login_session("fx-noentry", server))
    assert result.status == "found"
    assert result.entry is not None and result.entry.text == "关闭自动续费"


def test_locate_expired_session_is_seen_on_the_route_and_is_login_required(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    server.expire_sessions()
    result = locate("fx-multipage", server, session)
    assert result.status == "login_required"
    assert result.login_command == f"cancelscout login fx-multipage --base-url {server.url}/"
    assert result.error is not None and "missing or expired" in result.error
    assert (Path(result.bundle or "") / "manifest.json").is_file()
    records = read_steps(Path(result.bundle or ""))
    # 个人中心 sent the visitor to a page the profile's URL rule calls the login page; the
    # check page confirmed it, and the run stopped there (no other route, no not_found)
    assert [(r["action"], r["label"]) for r in records][:4] == [
        ("goto", "个人中心 › 会员服务"),
        ("click", "个人中心"),
        ("goto", "check session"),
        ("stop", "login_required"),
    ]
    assert "/login.html" in str(records[1]["url_after"])


def test_locate_found_proves_the_session_without_the_check_page(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    server = site_server("multipage")
    result = locate("fx-multipage", server, login_session("fx-multipage", server))
    assert result.status == "found"
    bundle = Path(result.bundle or "")
    assert read_steps(bundle)[0]["label"] == "个人中心 › 会员服务"  # the route, no check page
    assert "event='session_ok'" in (bundle / "run.log").read_text("utf-8")
    assert "via='entry'" in (bundle / "run.log").read_text("utf-8")


def test_locate_login_like_url_on_a_live_session_restarts_the_route(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate_file: Callable[..., LocateResult],
    tmp_path: Path,
) -> None:
    # A help page at /help/login.html matches the profile's "logged out" URL rule while the
    # session is fine: the check page proves it, and the route starts again.
    root = tmp_path / "site"
    shutil.copytree(SITES / "multipage", root)
    (root / "help").mkdir()
    (root / "help" / "login.html").write_text(
        '<!DOCTYPE html><meta charset="utf-8"><title>登录帮助</title>'
        '<a href="/user/index.html">个人中心</a>',
        encoding="utf-8",
    )
    server = site_server(str(root))
    session = login_session("fx-multipage", server)
    text = (TESTS / "profiles" / "fx-multipage.yaml").read_text("utf-8")
    path = tmp_path / "fx-multipage.yaml"
    path.write_text(text.replace("    start: /\n", "    start: /help/login.html\n"), "utf-8")
    result = locate_file(path, server, session)
    assert result.status == "found"
    labels = [r["label"] for r in read_steps(Path(result.bundle or ""))]
    assert labels[:4] == ["个人中心 › 会员服务", "check session", "个人中心 › 会员服务", "个人中心"]
    assert result.clicks == 2  # the path of the attempt that reached the entry


def test_locate_absence_on_public_pages_checks_the_session_before_not_found(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate_file: Callable[..., LocateResult],
    tmp_path: Path,
) -> None:
    server = site_server("noentry")
    session = login_session("fx-noentry", server)
    server.expire_sessions()
    # a route that stays on public pages: its absence says nothing while logged out
    text = (TESTS / "profiles" / "fx-noentry.yaml").read_text("utf-8")
    text = text.replace("    steps:\n      - click: {role: link, name: 会员中心}\n", "")
    path = tmp_path / "fx-noentry.yaml"
    path.write_text(text, encoding="utf-8")
    result = locate_file(path, server, session)
    assert result.status == "login_required"
    labels = [r["label"] for r in read_steps(Path(result.bundle or ""))]
    assert labels[:3] == ["会员中心", "会员中心", "check session"]  # goto, target, check page


def test_locate_without_session_on_spa_is_login_required(
    site_server: Callable[[str], SiteServer],
    locate: Locate,
) -> None:
    server = site_server("spa")
    result = locate("fx-spa", server, None, timeout_s=2.0)
    assert result.status == "login_required"


def test_locate_engine_refuses_dangerous_profile_steps(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    server = site_server("multipage")
    session = login_session("fx-unsafe", server)
    result = locate("fx-unsafe", server, session, timeout_s=2.0)
    assert result.status == "not_found"
    assert len(result.routes_tried) == 4
    refused = [b for b in result.blocked if b.kind == "click"]
    assert len(refused) == 3, result.blocked
    assert [(b.kind, b.url) for b in result.blocked if b.kind == "navigation"] == [
        ("navigation", "https://pay.example.com/checkout")
    ]
    # The site fixture's teardown asserts that no dangerous endpoint was reached.


def read_steps(bundle: Path) -> list[dict[str, object]]:
    lines = (bundle / "steps.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_locate_bundle_layout_and_hashes(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    server = site_server("multipage")
    result = locate("fx-multipage", server, login_session("fx-multipage", server))
    bundle = Path(result.bundle or "")
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"manifest.json"}
    for name, entry in listed.items():
        assert sha256_file(bundle / name) == entry["sha256"], name
    assert {"steps.jsonl", "report.html", "trace.zip", "run.log"} <= set(listed)
    assert manifest["profile"]["id"] == "fx-multipage"
    assert len(manifest["profile"]["sha256"]) == 64
    records = read_steps(bundle)
    assert [r["index"] for r in records] == list(range(1, len(records) + 1))
    for record in records:
        for artifact in record["artifacts"]:  # type: ignore[attr-defined]
            assert sha256_file(bundle / artifact["name"]) == artifact["sha256"]
    shots = sorted(p.name for p in (bundle / "screenshots").iterdir())
    assert shots[0].startswith("001-") and any(s.endswith("-entry-annotated.png") for s in shots)


def test_locate_bundle_never_contains_session_secrets(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
) -> None:
    import zipfile

    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    cookies = json.loads(session.read_text())["cookies"]
    secrets = [c["value"].encode() for c in cookies]
    assert secrets
    result = locate("fx-multipage", server, session)
    bundle = Path(result.bundle or "")
    blobs = [p.read_bytes() for p in bundle.rglob("*") if p.is_file()]
    with zipfile.ZipFile(bundle / "trace.zip") as trace:
        blobs.extend(trace.read(name) for name in trace.namelist())
    for blob in blobs:
        for secret in [*secrets, b"demo123"]:
            assert secret not in blob


def test_locate_captcha_page_needs_a_human(
    site_server: Callable[[str], SiteServer], locate: Locate
) -> None:
    server = site_server("challenge")
    result = locate("fx-challenge", server, None)
    assert result.status == "needs_human"
    assert result.error is not None
    assert "challenge text '请完成安全验证'" in result.error
    assert (Path(result.bundle or "") / "manifest.json").is_file()


def test_login_interactive_waits_for_the_person(
    site_server: Callable[[str], SiteServer], runtime: Runtime, registry: ProfileRegistry
) -> None:
    server = site_server("multipage")
    profile, _ = registry.get("fx-multipage")
    polls: list[str] = []

    def person_at_the_window(page: Page) -> None:
        polls.append(page.url)
        if len(polls) == 2:  # the person types after a moment, as people do
            page.get_by_label("用户名").fill("demo")
            page.get_by_label("密码").fill("demo123")
            page.get_by_role("button", name="登录", exact=True).click()

    state = login_interactive(
        profile, runtime, timeout_s=30, base_url=server.url + "/", on_wait=person_at_the_window
    )
    assert any(cookie["name"] == "PHPSESSID" for cookie in state["cookies"])
    assert len(polls) >= 2  # it waited for the person, then noticed the login
    assert "/login.html" in polls[0]
