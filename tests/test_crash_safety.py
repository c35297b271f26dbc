"""Crash safety: whatever ends a run, nothing already recorded is lost and the bundle closes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.profiles.loader import load_profile
from cancelscout.runs.locate import LocateOptions, locate_cancel

TESTS = Path(__file__).parent
HANGING_PROFILE = (
    (TESTS / "profiles" / "fx-multipage.yaml")
    .read_text("utf-8")
    .replace("id: fx-multipage", "id: fx-hanging")
    # the route's first page is recorded, then the run is stuck opening a page that hangs
    .replace("    steps:\n", "    steps:\n      - goto: /user/hang.html\n", 1)
)


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_locate(
    profile_dir: Path, session: Path, server: SiteServer, out: Path, *extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cancelscout",
            "locate-cancel",
            "fx-hanging",
            "--json",
            "--profiles",
            str(profile_dir),
            "--session",
            str(session),
            "--base-url",
            server.url + "/",
            "--out",
            str(out),
            "--timeout",
            "60",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A run started in the background by a shell inherits SIGINT ignored, and Python keeps
        # it so (as it should: that is how `cmd &` is shielded from Ctrl-C); Ctrl-C is meant here.
        preexec_fn=_interruptible,
    )


def wait_for_records(out: Path, count: int, timeout_s: float = 60) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for steps in out.rglob("steps.jsonl"):
            if len(steps.read_text("utf-8").splitlines()) >= count:
                return steps.parent
        time.sleep(0.2)
    raise AssertionError(f"no bundle reached {count} records")


@pytest.fixture
def hanging_site(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    tmp_path: Path,
) -> tuple[SiteServer, Path, Path]:
    server = site_server("faults")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "fx-hanging.yaml").write_text(HANGING_PROFILE, encoding="utf-8")
    return server, login_session("fx-multipage", server), profiles


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_crash_safety_signal_closes_bundle_as_interrupted(
    hanging_site: tuple[SiteServer, Path, Path], tmp_path: Path, signum: int
) -> None:
    server, session, profiles = hanging_site
    out = tmp_path / "rec"
    proc = start_locate(profiles, session, server, out)
    bundle = wait_for_records(out, 1)  # the route's first page, then stuck on the hanging one
    time.sleep(1.0)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    result = json.loads(stdout)
    assert result["status"] == "interrupted"
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "interrupted"
    records = [json.loads(line) for line in (bundle / "steps.jsonl").read_text().splitlines()]
    assert [r["action"] for r in records][-2:] == ["stop", "close"]
    assert [r["action"] for r in records] == ["goto", "stop", "close"]


def test_crash_safety_browser_crash_mid_route(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    runtime: Runtime,
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    path = TESTS / "profiles" / "fx-multipage.yaml"
    pages: list[Any] = []

    def crash_after_first_click(record: dict[str, Any]) -> None:
        if record["action"] == "click" and not pages:
            context = runtime.browser.contexts[-1] if runtime.browser else None
            assert context is not None
            page = context.pages[-1]
            pages.append(page)
            with contextlib.suppress(PlaywrightError):
                page.goto("chrome://crash", timeout=3000)  # kills the renderer

    options = LocateOptions(
        out_dir=tmp_path,
        session_file=session,
        base_url=server.url + "/",
        profile_path=path,
        timeout_s=3,
        on_step=crash_after_first_click,
    )
    result = locate_cancel(load_profile(path), options, runtime)
    assert pages, "the crash was never triggered"
    assert result.status == "error"
    assert result.error is not None and "crash" in result.error.lower()
    bundle = Path(result.bundle or "")
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "error"
    records = [json.loads(line) for line in (bundle / "steps.jsonl").read_text().splitlines()]
    assert [r["action"] for r in records][:2] == ["goto", "click"]
    assert records[-1]["action"] == "close"


def test_crash_safety_unwritable_output_folder_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot create folders under a file
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cancelscout",
            "locate-cancel",
            "demo-xingchen",
            "--out",
            str(blocker / "rec"),
            "--base-url",
            "http://127.0.0.1:9/",
            "--no-sign",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CANCELSCOUT_HOME": str(tmp_path / "home")},
    )
    assert proc.returncode == 2, proc.stderr
    assert "cannot create the evidence folder" in proc.stderr
    assert "Choose another folder with --out." in proc.stderr
    assert "Traceback" not in proc.stderr


def test_crash_safety_exception_mid_route_closes_bundle_then_surfaces(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cancelscout.integrity.verify import verify_bundle
    from cancelscout.runs.locate import LocateRun

    server = site_server("multipage")
    session = login_session("fx-multipage", server)

    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(LocateRun, "_find_target", broken)
    path = TESTS / "profiles" / "fx-multipage.yaml"
    options = LocateOptions(
        out_dir=tmp_path,
        session_file=session,
        base_url=server.url + "/",
        profile_path=path,
        timeout_s=3,
    )
    with pytest.raises(RuntimeError, match="boom"):  # a bug is never hidden ...
        locate_cancel(load_profile(path), options, runtime)
    bundle = next(tmp_path.glob("fx-multipage/*"))  # ... and costs no evidence
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "error"
    assert manifest["result"]["error"] == "internal error: RuntimeError('boom')"
    assert verify_bundle(bundle).status == "intact"


def test_crash_safety_full_disk_leaves_an_incomplete_bundle(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cancelscout.errors import SiteError
    from cancelscout.integrity.bundle import EvidenceBundle
    from cancelscout.integrity.verify import verify_bundle

    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    real_write = EvidenceBundle.write
    calls: list[str] = []

    def write_until_full(self: EvidenceBundle, name: str, data: bytes) -> Any:
        calls.append(name)
        if len(calls) > 4:  # the disk fills up during the route
            raise OSError(28, "No space left on device")
        return real_write(self, name, data)

    monkeypatch.setattr(EvidenceBundle, "write", write_until_full)
    path = TESTS / "profiles" / "fx-multipage.yaml"
    options = LocateOptions(
        out_dir=tmp_path,
        session_file=session,
        base_url=server.url + "/",
        profile_path=path,
        timeout_s=3,
    )
    with pytest.raises(SiteError) as caught:
        locate_cancel(load_profile(path), options, runtime)
    assert "No space left on device. Free some space or choose another --out." in (
        caught.value.message
    )
    bundle = next(tmp_path.glob("fx-multipage/*"))
    assert not (bundle / "manifest.json").exists()  # nothing half-written looks complete
    assert verify_bundle(bundle).status == "incomplete"


def test_crash_safety_kill_9_is_incomplete_not_tampered(
    hanging_site: tuple[SiteServer, Path, Path], tmp_path: Path
) -> None:
    server, session, profiles = hanging_site
    out = tmp_path / "rec"
    proc = start_locate(profiles, session, server, out)
    bundle = wait_for_records(out, 1)
    proc.kill()  # SIGKILL: no handler runs
    proc.communicate(timeout=30)
    verify = subprocess.run(
        [sys.executable, "-m", "cancelscout", "verify", str(bundle), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 3, verify.stdout
    report = json.loads(verify.stdout)
    assert report["status"] == "incomplete"
    assert report["records"] >= 1
