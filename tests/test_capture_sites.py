"""capture end to end on the multipage fixture shop (tests/sites/multipage/EVIDENCE.md).

Every test serves the site through ``site_server``, whose teardown asserts that no dangerous
endpoint was hit: capture only ever opens URLs.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.integrity.bundle import sha256_file
from cancelscout.integrity.verify import verify_bundle
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.runs.locate import LocateOptions
from cancelscout.runs.locate_capture import locate_and_capture
from capture_support import PROFILE, Capture, capture_run_fixture, pdf_text, read_records  # noqa: F401

Login = Callable[[str, SiteServer], Path]
PHONES = ("13912345678", "13812345678")
EMAIL = "service@yunhai-fk.example.cn"


def test_capture_profile_pages_into_intact_bundle(
    site_server: Callable[[str], SiteServer], login_session: Login, capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, login_session(PROFILE, server))
    assert result.status == "captured", result.error
    bundle = Path(result.bundle or "")
    assert verify_bundle(bundle).status == "intact"
    assert [p.kind for p in result.pages] == ["promo", "agreement", "orders", "orders", "status"]
    records = {r["index"]: r for r in read_records(bundle)}
    for page in result.pages:
        assert page.error is None and page.time and page.title
        named = {a["name"]: a["sha256"] for a in records[page.record]["artifacts"]}
        for name in (page.screenshot, page.pdf, page.dom, page.text):
            assert name is not None and sha256_file(bundle / name) == named[name]
        assert (bundle / page.pdf).read_bytes().startswith(b"%PDF")
        text = (bundle / page.text).read_text(encoding="utf-8")
        assert f"# URL: {page.url}" in text
    assert records[max(records) - 1]["action"] == "capture_summary"
    assert result.clicks == 0 and result.hovers == 0
    assert result.auto_renew == "on"
    assert result.next_charge == "2025-12-19"
    assert result.grade is not None and result.grade.grade == "E"


def test_capture_flags_clauses_with_crops_and_no_false_positives(
    site_server: Callable[[str], SiteServer], capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, None, what=("agreement",))
    assert result.status == "captured"
    bundle = Path(result.bundle or "")
    by_number: dict[str, set[str]] = {}
    for clause in result.clauses:
        by_number.setdefault(clause.text.split()[0], set()).add(clause.rule)
        assert clause.page_url.endswith("/agreement.html")
        assert clause.crop and (bundle / clause.crop).stat().st_size > 500
        assert clause.box and clause.box["width"] > 50
    assert by_number == {
        "1.2": {"final-interpretation"},
        "2.2": {"permanent-redefined"},
        "2.3": {"unilateral-change", "no-notice"},
        "3.1": {"auto-renew-default"},
        "4.1": {"no-refund"},
        "4.2": {"no-cancel"},
        "5.1": {"no-liability"},
    }
    page_text = (bundle / (result.pages[0].text or "")).read_text(encoding="utf-8")
    assert all(clause.text in page_text for clause in result.clauses)
    assert result.pages[0].annotated is not None


def test_capture_promo_promises_located_and_annotated(
    site_server: Callable[[str], SiteServer], capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, None, what=("promo",))
    phrases = {p.phrase for p in result.promises}
    assert {"永久会员", "终身", "永不过期", "专属特权", "优先服务", "全站9折"} <= phrases
    for promise in result.promises:
        assert promise.page_url.endswith("/vip-promo.html")
        assert promise.phrase in promise.text
        assert promise.box is not None
    page = result.pages[0]
    assert page.annotated and page.annotated != page.screenshot
    assert {c.rule for c in result.clauses} == {"auto-renew-default", "final-interpretation"}


def test_capture_extracts_membership_orders(
    site_server: Callable[[str], SiteServer], login_session: Login, capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, login_session(PROFILE, server), what=("orders",))
    members = [
        (o.order_no, o.date, o.amount, o.item, o.payment_method)
        for o in result.orders
        if o.membership
    ]
    assert members == [
        ("VIP20250519001", "2025-05-19", "¥15.00", "黄金会员（包月）", "支付宝免密支付"),
        ("VIP20251019007", "2025-10-19", "¥15.00", "黄金会员 自动续费", "支付宝免密支付"),
        ("VIP20251119009", "2025-11-19", "¥15.00", "黄金会员 自动续费", "支付宝免密支付"),
    ]
    others = [o.order_no for o in result.orders if not o.membership]
    assert others == ["YH2025112018300", "YH2025112118671", "YH2025112219042", "YH2025112319413"]


def test_capture_masks_personal_data_in_every_artifact(
    site_server: Callable[[str], SiteServer], login_session: Login, capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, login_session(PROFILE, server))
    bundle = Path(result.bundle or "")
    assert result.redacted == {"email": 1, "phone": 2}
    for path in bundle.rglob("*"):
        if path.is_file() and path.suffix in (".txt", ".html", ".json", ".jsonl", ".log"):
            data = path.read_text(encoding="utf-8", errors="replace")
            for secret in (*PHONES, EMAIL):
                assert secret not in data, (path.name, secret)
    promo = pdf_text(bundle / (result.pages[0].pdf or ""))
    assert "[已遮盖:手机号]" in promo and PHONES[0] not in promo
    agreement = pdf_text(bundle / (result.pages[1].pdf or ""))
    assert EMAIL not in agreement and "[已遮盖:邮箱]" in agreement
    # The profile's mask (#login-status b: the user name) is blanked in the PDF text too.
    assert "[已遮盖 masked]" in promo


def test_capture_bundle_never_contains_session_secrets(
    site_server: Callable[[str], SiteServer], login_session: Login, capture_run: Capture
) -> None:
    import json

    server = site_server("multipage")
    session = login_session(PROFILE, server)
    secrets = [c["value"].encode() for c in json.loads(session.read_text())["cookies"]]
    result = capture_run(PROFILE, server, session, what=("status",))
    bundle = Path(result.bundle or "")
    blobs = [p.read_bytes() for p in bundle.rglob("*") if p.is_file()]
    with zipfile.ZipFile(bundle / "trace.zip") as trace:
        blobs.extend(trace.read(name) for name in trace.namelist())
    for blob in blobs:
        for secret in [*secrets, b"demo123"]:
            assert secret not in blob


def test_capture_expired_session_is_login_required(
    site_server: Callable[[str], SiteServer], login_session: Login, capture_run: Capture
) -> None:
    server = site_server("multipage")
    session = login_session(PROFILE, server)
    server.expire_sessions()
    result = capture_run(PROFILE, server, session)
    assert result.status == "login_required"
    assert result.login_command == f"cancelscout login {PROFILE}"
    failed = [p.requested_url.rsplit("/", 1)[-1] for p in result.pages if p.error]
    assert failed == ["orders.html", "vip-records.html", "vip.html"]
    assert [p.kind for p in result.pages if p.text] == ["promo", "agreement"]  # public pages
    assert verify_bundle(Path(result.bundle or "")).status == "intact"


def test_capture_url_mode_infers_kinds_on_one_host(
    site_server: Callable[[str], SiteServer], login_session: Login, capture_run: Capture
) -> None:
    server = site_server("multipage")
    pages = ["/vip-promo.html", "/agreement.html", "/user/vip-records.html", "/user/vip.html"]
    result = capture_run(
        None,
        server,
        login_session(PROFILE, server),
        urls=[server.url + p for p in pages],
    )
    assert result.status == "captured"
    assert result.platform == "127.0.0.1"
    assert [(p.kind, p.kind_source) for p in result.pages] == [
        ("promo", "inferred"),
        ("agreement", "inferred"),
        ("orders", "inferred"),
        ("status", "inferred"),
    ]
    assert [o.order_no for o in result.orders if o.membership] == [
        "VIP20250519001",
        "VIP20251019007",
        "VIP20251119009",
    ]
    assert result.auto_renew == "on" and result.next_charge == "2025-12-19"
    assert Path(result.bundle or "").parent.name == "127.0.0.1"


def test_capture_refuses_pages_off_the_platform(
    site_server: Callable[[str], SiteServer], capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(
        PROFILE, server, None, what=("promo",), urls=["https://pay.example.com/checkout"]
    )
    assert [(b.kind, b.url) for b in result.blocked] == [
        ("navigation", "https://pay.example.com/checkout")
    ]
    assert [p.kind for p in result.pages if p.text] == ["promo"]


def test_capture_locate_and_capture_share_one_bundle(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    runtime: Runtime,
    registry: ProfileRegistry,
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    profile, path = registry.get(PROFILE)
    options = LocateOptions(
        out_dir=tmp_path / "rec",
        session_file=login_session(PROFILE, server),
        base_url=server.url + "/",
        profile_path=path,
        timeout_s=5.0,
    )
    result, captured = locate_and_capture(profile, options, runtime, ("agreement", "status"))
    assert result.status == "found" and captured is not None
    assert captured.status == "captured" and captured.bundle == result.bundle
    bundle = Path(result.bundle or "")
    assert verify_bundle(bundle).status == "intact"
    actions = [r["action"] for r in read_records(bundle)]
    assert "entry" in actions and actions[-3:] == ["capture", "capture_summary", "close"]
    report = (bundle / "report.html").read_text(encoding="utf-8")
    assert 'id="clauses"' in report and "取消入口取证报告" in report
