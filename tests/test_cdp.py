"""--cdp: attach to the user's own running browser (started by the test with a debugging port
and a logged-in fixture session): a tab of cancelscout's own under the policy, the user's tabs
untouched, closed after; the browser left running."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from cancelscout.browser.launch import launch_args, resolve_browser
from cancelscout.browser.policy import NetworkPolicy
from cancelscout.browser.runtime import Runtime, attach
from cancelscout.demo.server import SiteServer
from cancelscout.errors import UsageError
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.runs.locate import LocateOptions, locate_cancel

TESTS = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def user_browser(playwright: Playwright, tmp_path: Path) -> Iterator[str]:
    """A Chromium the way a user starts one for --cdp: its own profile, a debugging port on
    127.0.0.1. Yields the endpoint."""
    choice = resolve_browser(os.environ.get("CANCELSCOUT_BROWSER"), playwright)
    executable = str(choice.path or playwright.chromium.executable_path)
    port = _free_port()
    proc = subprocess.Popen(
        [executable, f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1",
         f"--user-data-dir={tmp_path / 'user-profile'}", "--headless=new", "--no-first-run",
         *launch_args(), "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/json/version", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cdp_attach_uses_the_login_and_leaves_the_users_tabs_alone(
    user_browser: str,
    playwright: Playwright,
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    registry: ProfileRegistry,
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    state = json.loads(login_session("fx-multipage", server).read_text("utf-8"))
    # The user: logged in, a tab of their own open on the shop's home page.
    user = playwright.chromium.connect_over_cdp(user_browser)
    context = user.contexts[0]
    context.add_cookies(state["cookies"])
    user_tab = context.pages[0]
    user_tab.goto(server.url + "/")

    profile, path = registry.get("fx-multipage")
    options = LocateOptions(
        out_dir=tmp_path / "rec", base_url=server.url + "/", profile_path=path, timeout_s=5
    )
    result = locate_cancel(profile, options, Runtime(None, None, browser=user, attached=True))
    assert result.status == "found", result.error
    assert context.pages == [user_tab] and user_tab.url == server.url + "/"
    # The policy judged cancelscout's tab only: the user's tab may still send a form, while a
    # tab under a page-scoped policy may not.
    post = "fetch('/login', {method: 'POST', body: 'a=b'}).then(r => r.status, e => 'refused')"
    assert user_tab.evaluate(post) in (200, 302)
    policy = NetworkPolicy(profile.at(server.url + "/").hosts())
    policy.install_on_pages()
    own_tab = context.new_page()
    policy.watch_page(own_tab)
    own_tab.goto(server.url + "/")
    assert own_tab.evaluate(post) == "refused"
    assert [b.method for b in policy.blocked] == ["POST"]
    own_tab.close()
    assert user_tab.evaluate(post) in (200, 302)
    bundle = Path(result.bundle or "")
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    assert manifest["browser"].startswith("chromium ")  # the user's browser, recorded
    assert not (bundle / "trace.zip").exists()  # a context trace would see the user's tabs
    blobs = [p.read_bytes() for p in bundle.rglob("*") if p.is_file()]
    for cookie in state["cookies"]:
        assert not any(cookie["value"].encode() in blob for blob in blobs)

    # The same from the command line, as a separate process: attach, locate, detach.
    proc = subprocess.run(
        [sys.executable, "-m", "cancelscout", "locate-cancel", "fx-multipage",
         "--profiles", str(TESTS / "profiles"), "--base-url", server.url + "/",
         "--cdp", user_browser, "--out", str(tmp_path / "cli"), "--json", "--timeout", "5"],
        capture_output=True, text=True, timeout=180, env={**os.environ, "LANG": "C.UTF-8"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["status"] == "found"
    assert context.pages == [user_tab] and user_tab.url == server.url + "/"  # still running


def test_cdp_attaches_only_on_this_machine() -> None:
    with pytest.raises(UsageError) as caught:
        attach(None, "http://10.0.0.5:9222")  # type: ignore[arg-type]
    assert caught.value.message.startswith(
        "--cdp http://10.0.0.5:9222: attach only to a browser on this machine (127.0.0.1)."
    )
