"""Faults of real sites: each ends with the right status, a clear message and a whole bundle.

The fixture shop tests/sites/faults misbehaves on purpose (see its README). Every test's site
fixture also asserts that no dangerous endpoint was hit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserType

from cancelscout.browser.launch import launch_args
from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.profiles.loader import load_profile
from cancelscout.result import LocateResult
from cancelscout.runs.locate import LocateOptions, locate_cancel
from cancelscout.session import write_session

PROFILE = """\
# yaml-language-server: $schema=../../schema/profile.schema.json
schema_version: 1
id: fx-faults
name: 故障卡盟
base_url: http://127.0.0.1:9/
login:
  url: /login.html
  check_url: /user/index.html
  logged_out:
    - url_contains: /login.html
  form:
    username: {{label: 用户名}}
    password: {{label: 密码}}
    submit: {{role: button, name: 登录, match: exact}}
routes:
  - name: the route under test
    start: /user/index.html
    steps:
{steps}
    target:
      - {{role: link, name: 关闭自动续费}}
      - {{role: link, name: 取消自动续费}}
"""


@pytest.fixture
def faults(
    site_server: Callable[[str], SiteServer], login_session: Callable[[str, SiteServer], Path]
) -> tuple[SiteServer, Path]:
    server = site_server("faults")
    return server, login_session("fx-multipage", server)  # same login form and rules


@pytest.fixture
def run_route(
    faults: tuple[SiteServer, Path], runtime: Runtime, tmp_path: Path
) -> Callable[..., LocateResult]:
    server, session = faults

    def run(
        *steps: str,
        timeout_s: float = 3.0,
        rt: Runtime | None = None,
        masks: list[str] | None = None,
        **extra: Any,
    ) -> LocateResult:
        body = "\n".join(f"      - {step}" for step in steps) or "      []"
        path = tmp_path / "fx-faults.yaml"
        text = PROFILE.format(steps=body)
        if masks:
            text += f"mask: {json.dumps(masks, ensure_ascii=False)}\n"
        path.write_text(text, encoding="utf-8")
        options = LocateOptions(
            out_dir=tmp_path / "rec",
            session_file=session,
            base_url=server.url + "/",
            profile_path=path,
            timeout_s=timeout_s,
            **extra,
        )
        return locate_cancel(load_profile(path), options, rt or runtime)

    return run


def closed_bundle(result: LocateResult) -> dict[str, object]:
    """The run's bundle is closed, says what happened, and verifies as intact."""
    from cancelscout.integrity.verify import verify_bundle

    bundle = Path(result.bundle or "")
    assert verify_bundle(bundle).status == "intact"
    manifest: dict[str, object] = json.loads((bundle / "manifest.json").read_text("utf-8"))
    last = (bundle / "steps.jsonl").read_text("utf-8").splitlines()[-1]
    assert json.loads(last)["action"] == "close"
    assert manifest["status"] == result.status
    return manifest


def test_faults_http_500_is_a_site_error(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("click: {role: link, name: 会员订单}")
    # The click itself lands on a 500 page: a site fault, so absence is unproven.
    assert result.status == "error"
    assert result.error is not None and result.error.endswith("answered HTTP 500 after the click")
    closed_bundle(result)


def test_faults_http_500_on_route_start_is_error(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("goto: /user/broken.html")
    assert result.status == "error"
    assert result.error is not None and result.error.endswith("answered HTTP 500")
    closed_bundle(result)


def test_faults_page_that_never_loads_is_error(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("goto: /user/hang.html", timeout_s=2.0)
    assert result.status == "error"
    assert result.error is not None and result.error.startswith("cannot open ")
    closed_bundle(result)


def test_faults_click_into_never_loading_page_is_error(
    run_route: Callable[..., LocateResult],
) -> None:
    result = run_route("click: {role: link, name: 会员权益}", timeout_s=2.0)
    assert result.status == "error"
    assert result.error is not None and "did not finish loading within 2 s" in result.error


def test_faults_redirect_off_platform_is_blocked(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("click: {role: link, name: 合作伙伴}")
    assert result.status == "not_found"
    assert [(b.kind, b.url) for b in result.blocked] == [
        ("navigation", "http://evil.example/steal")
    ]
    assert result.blocked[0].reason == "not one of the platform's hosts"
    closed_bundle(result)


def test_faults_download_is_refused(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("click: {role: link, name: 下载会员协议}", "goto: /user/popup.html")
    assert result.status == "found"
    downloads = [b for b in result.blocked if b.kind == "download"]
    assert len(downloads) == 1 and downloads[0].url.endswith("/files/agreement.pdf")
    assert downloads[0].reason == "download of agreement.pdf refused"
    bundle = Path(result.bundle or "")
    assert not [p for p in bundle.rglob("*.pdf")]


def test_faults_new_tab_is_followed(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("click: {role: link, name: 会员服务}")
    assert result.status == "found"
    assert result.entry is not None and result.entry.page_url.endswith("/user/popup.html")


def test_faults_confirm_dialog_is_dismissed_and_recorded(
    run_route: Callable[..., LocateResult],
) -> None:
    result = run_route("click: {role: link, name: 安全中心}", "wait_for: {text: 安全中心}")
    assert result.status == "found"
    assert result.dialogs == ["confirm: 检测到您的会员即将到期，是否立即续费？"]
    # Dismissing is the safe answer: the fixture asserts /api/danger/renew was never hit.


def test_faults_detached_element_is_retried(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("click: {role: link, name: 动态菜单}", "click: {role: link, name: 会员服务}")
    assert result.status == "found", result.error


def test_faults_many_matches_use_the_first_visible(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("click: {role: link, name: 重复链接}", "click: {role: link, name: 会员服务}")
    assert result.status == "found"


def test_faults_locator_matching_nothing_is_not_found(
    run_route: Callable[..., LocateResult],
) -> None:
    result = run_route("click: {role: link, name: 不存在的菜单}", timeout_s=1.0)
    assert result.status == "not_found"
    steps = (Path(result.bundle or "") / "steps.jsonl").read_text("utf-8").splitlines()
    failed = [json.loads(s) for s in steps if json.loads(s)["outcome"] == "failed"]
    assert failed and "Timeout" in failed[0]["error"]


def test_faults_site_that_stops_answering_mid_run(
    faults: tuple[SiteServer, Path],
    run_route: Callable[..., LocateResult],
    runtime: Runtime,
) -> None:
    server, _ = faults
    result = run_route(
        "goto: /user/index.html", "goto: /user/popup.html", rt=_stopping_runtime(runtime, server)
    )
    assert result.status == "error"
    assert result.error is not None and "cannot open" in result.error
    closed_bundle(result)


def _stopping_runtime(runtime: Runtime, server: SiteServer) -> Runtime:
    """A runtime whose pages stop the server once the route has started (the site dies)."""

    class Stopping(Runtime):
        def new_context(self, **options: object):  # type: ignore[no-untyped-def,override]
            context = super().new_context(**options)  # type: ignore[arg-type]
            seen: list[str] = []

            def on_load(page: object) -> None:
                seen.append("x")
                if len(seen) == 2:  # after the session check and the route start
                    server.stop()

            context.on("page", lambda page: page.on("load", on_load))
            return context

    return Stopping(playwright=None, choice=None, browser=runtime.browser)


@pytest.fixture
def dns_failing_runtime(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Iterator[Runtime]:
    """A browser whose resolver answers NXDOMAIN for every name: DNS failure, no network."""
    rules = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    browser = browser_type.launch(
        **{**browser_type_launch_args, "args": [*launch_args(), rules]},
    )
    yield Runtime(playwright=None, choice=None, browser=browser)
    browser.close()


def test_faults_dns_failure_is_error(
    dns_failing_runtime: Runtime, registry_profile_path: Path, tmp_path: Path
) -> None:
    profile = load_profile(registry_profile_path)
    options = LocateOptions(
        out_dir=tmp_path,
        base_url="http://shop.nxdomain.test/",
        profile_path=registry_profile_path,
        timeout_s=3,
    )
    result = locate_cancel(profile, options, dns_failing_runtime)
    assert result.status == "error"
    assert result.error is not None and "ERR_NAME_NOT_RESOLVED" in result.error
    closed_bundle(result)


@pytest.fixture
def registry_profile_path() -> Path:
    return Path(__file__).parent / "profiles" / "fx-multipage.yaml"


PERSONAL = [b"13912345678", b"11010519491231002X", b"6222 0212 3456 7894", b"buyer@example.cn"]


def bundle_bytes(result: LocateResult) -> list[bytes]:
    import zipfile

    bundle = Path(result.bundle or "")
    blobs = [p.read_bytes() for p in bundle.rglob("*") if p.is_file()]
    with zipfile.ZipFile(bundle / "trace.zip") as trace:
        blobs.extend(trace.read(name) for name in trace.namelist())
    return blobs


def entry_dom(bundle: Path) -> str:
    """The DOM snapshot the entry record names (an earlier step's file when unchanged)."""
    records = [json.loads(line) for line in (bundle / "steps.jsonl").read_text().splitlines()]
    entry = next(r for r in records if r["action"] == "entry")
    name = next(a["name"] for a in entry["artifacts"] if a["name"].startswith("dom/"))
    return (bundle / name).read_text("utf-8")


def test_faults_personal_data_is_masked_everywhere(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("goto: /user/profile.html")
    assert result.status == "found"
    assert result.redacted == {"bank_card": 1, "email": 1, "id_card": 1, "phone": 1}
    blobs = bundle_bytes(result)
    for value in PERSONAL:
        assert not any(value in blob for blob in blobs), value
    dom = entry_dom(Path(result.bundle or ""))
    assert "订单号 2026112612345678" in dom  # order numbers are evidence, not personal data
    assert "[已遮盖:手机号]" in dom
    report = (Path(result.bundle or "") / "report.html").read_text("utf-8")
    assert "手机号 1" in report


def test_faults_no_redact_keeps_personal_data(run_route: Callable[..., LocateResult]) -> None:
    result = run_route("goto: /user/profile.html", redact=False, trace=False)
    assert result.status == "found"
    assert result.redacted == {}
    bundle = Path(result.bundle or "")
    dom = entry_dom(bundle)
    assert "13912345678" in dom and "buyer@example.cn" in dom
    assert not (bundle / "trace.zip").exists()  # --no-trace: no trace at all


# The rectangle each personal value occupies on the page, read in the test's own browser.
VALUE_RECTS_JS = """(values) => values.map(value => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(value);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + value.length);
    const r = range.getBoundingClientRect();
    return [r.x, r.y, r.width, r.height];
  }
  return null;
})"""


def value_rects(
    runtime: Runtime, faults: tuple[SiteServer, Path], values: list[str]
) -> list[tuple[int, int, int, int]]:
    server, session = faults
    context = runtime.new_context(storage_state=json.loads(session.read_text("utf-8")))
    try:
        page = context.new_page()
        page.goto(server.url + "/user/profile.html")
        rects = page.evaluate(VALUE_RECTS_JS, values)
    finally:
        context.close()
    assert all(rects), rects
    # Shrink by 2 px: anti-aliased mask edges are not the mask's own colour.
    return [(int(x) + 2, int(y) + 2, int(x + w) - 2, int(y + h) - 2) for x, y, w, h in rects]


def region_colours(png: Path, box: tuple[int, int, int, int]) -> set[tuple[int, ...]]:
    from PIL import Image

    with Image.open(png) as image:
        region = image.convert("RGB").crop(box)
        return {region.getpixel((x, y)) for x in range(region.width) for y in range(region.height)}


def test_faults_personal_data_is_masked_on_the_pixels(
    run_route: Callable[..., LocateResult], runtime: Runtime, faults: tuple[SiteServer, Path]
) -> None:
    """Each personal value's rectangle in the entry screenshot is one opaque mask colour;
    with --no-redact the same rectangle shows the text (so the test can tell the two apart)."""
    values = ["13912345678", "11010519491231002X", "6222 0212 3456 7894"]
    boxes = value_rects(runtime, faults, values)
    masked = run_route("goto: /user/profile.html")
    plain = run_route("goto: /user/profile.html", redact=False, trace=False)
    for result, expect_masked in ((masked, True), (plain, False)):
        assert result.entry is not None and result.entry.full_page_screenshot
        png = Path(result.bundle or "") / result.entry.full_page_screenshot
        for value, box in zip(values, boxes, strict=True):
            colours = region_colours(png, box)
            if expect_masked:
                assert colours == {(0x20, 0x20, 0x20)}, value
            else:
                assert len(colours) > 2, value  # glyphs: several colours


SECRET = "tok-7f3a9c2e51d84b06"


@pytest.mark.parametrize("redact", [True, False])
def test_faults_session_secret_is_in_no_file_of_the_bundle(
    faults: tuple[SiteServer, Path], runtime: Runtime, tmp_path: Path, redact: bool
) -> None:
    """The page shows the session's own storage token in text, in a field and in a link the
    route follows: no file of the bundle (trace members, DOM, steps, log, report, manifest)
    holds it, with or without --no-redact; its screenshot rectangle is an opaque mask."""
    server, session = faults
    state = json.loads(session.read_text("utf-8"))
    state["origins"] = [
        {"origin": server.url, "localStorage": [{"name": "api_token", "value": SECRET}]}
    ]
    with_token = tmp_path / "with-token.json"
    write_session(with_token, state)
    path = tmp_path / "fx-faults.yaml"
    steps = "      - goto: /user/token.html\n      - click: {role: link, name: 下一步}"
    path.write_text(PROFILE.format(steps=steps), encoding="utf-8")
    options = LocateOptions(
        out_dir=tmp_path / "rec",
        session_file=with_token,
        base_url=server.url + "/",
        profile_path=path,
        timeout_s=3.0,
        redact=redact,
    )
    result = locate_cancel(load_profile(path), options, runtime)
    assert result.status == "found", result.error
    assert any("token=" in step.url for step in result.path)  # the run did open the link
    for blob in bundle_bytes(result):
        assert SECRET.encode() not in blob
    bundle = Path(result.bundle or "")
    records = [json.loads(line) for line in (bundle / "steps.jsonl").read_text().splitlines()]
    first = next(r for r in records if r["url_after"] and r["url_after"].endswith("token.html"))
    png = bundle / next(a["name"] for a in first["artifacts"] if a["name"].endswith(".png"))
    context = runtime.new_context(storage_state=str(with_token))
    try:
        page = context.new_page()
        page.goto(server.url + "/user/token.html")
        rect = page.evaluate(VALUE_RECTS_JS, [SECRET])[0]
    finally:
        context.close()
    x, y, w, h = rect
    assert region_colours(png, (int(x) + 2, int(y) + 2, int(x + w) - 2, int(y + h) - 2)) == {
        (0x20, 0x20, 0x20)
    }


def test_faults_profile_masks_reach_the_trace(run_route: Callable[..., LocateResult]) -> None:
    """A name no pattern knows, hidden by the profile's mask, is in no file of the bundle:
    not the DOM, not the trace's own snapshots; without the mask it is there (control)."""
    import zipfile

    def trace_text(result: LocateResult) -> str:
        with zipfile.ZipFile(Path(result.bundle or "") / "trace.zip") as trace:
            return "".join(trace.read(n).decode("utf-8", "replace") for n in trace.namelist())

    plain = run_route("goto: /user/profile.html")
    assert "张三" in trace_text(plain)
    masked = run_route("goto: /user/profile.html", masks=["dl dd:nth-of-type(2)"])
    assert masked.status == "found"
    assert "张三" not in trace_text(masked)
    assert not any("张三".encode() in blob for blob in bundle_bytes(masked))
