"""--cookies: a Netscape cookies.txt, read into memory for the platform's hosts only; no value
of it in the bundle, the log, or a file left behind."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cancelscout.browser.runtime import Runtime
from cancelscout.cookies_import import read_browser_cookies, read_cookies_txt
from cancelscout.demo.server import SiteServer
from cancelscout.errors import CancelscoutError, SessionError, UsageError
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.result import LocateResult
from cancelscout.runs.locate import LocateOptions, locate_cancel

TXT = """# Netscape HTTP Cookie File
# exported by a browser extension

#HttpOnly_.shop.example\tTRUE\t/\tFALSE\t0\tPHPSESSID\tsess-4f1c9a77d2e0
shop.example\tFALSE\t/user\tTRUE\t1893456000\tlang\tzh-CN
.other.example\tTRUE\t/\tFALSE\t0\tsid\tnot-for-this-platform
"""


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_cookies_txt_keeps_the_platform_cookies_with_their_flags(tmp_path: Path) -> None:
    state = read_cookies_txt(_write(tmp_path / "c.txt", TXT), ["vip.shop.example"])
    assert state == {
        "cookies": [
            {"name": "PHPSESSID", "value": "sess-4f1c9a77d2e0", "domain": ".shop.example",
             "path": "/", "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"},
        ],
        "origins": [],
    }  # fmt: skip
    exact = read_cookies_txt(tmp_path / "c.txt", ["shop.example"])["cookies"]
    assert [(c["name"], c["domain"], c["secure"], c["expires"]) for c in exact] == [
        ("PHPSESSID", ".shop.example", False, -1),
        ("lang", "shop.example", True, 1893456000),
    ]


@pytest.mark.parametrize(
    ("text", "mode", "message"),
    [
        (TXT, 0o644, "can be read by other users (mode 644); it holds your login. Run 'chmod 600"),
        ("shop.example\tFALSE\t/\n", 0o600, ":1: expected 7 tab-separated fields"),
        ("shop.example\tFALSE\t/\tFALSE\tsoon\tn\tv\n", 0o600, ":1: the expiry 'soon' is not"),
        (".other.example\tTRUE\t/\tFALSE\t0\tsid\tx\n", 0o600, "holds no cookie for shop.example"),
    ],
)
def test_cookies_txt_errors_name_the_file_line_and_fix(
    tmp_path: Path, text: str, mode: int, message: str
) -> None:
    path = _write(tmp_path / "c.txt", text, mode)
    with pytest.raises(SessionError) as caught:
        read_cookies_txt(path, ["shop.example"])
    assert message in caught.value.message and str(path) in caught.value.message


@pytest.fixture
def logged_in(
    site_server: Callable[[str], SiteServer], login_session: Callable[[str, SiteServer], Path]
) -> tuple[SiteServer, dict[str, Any]]:
    """The multipage shop and the storage state of a logged-in session on it."""
    server = site_server("multipage")
    return server, json.loads(login_session("fx-multipage", server).read_text("utf-8"))


def _locate_with(
    server: SiteServer, registry: ProfileRegistry, runtime: Runtime, tmp_path: Path, **login: Any
) -> tuple[LocateResult, list[str], list[bytes]]:
    """A profile run logged in by ``login`` (a LocateOptions field); the bundle's files and
    trace members, by name and content."""
    profile, path = registry.get("fx-multipage")
    options = LocateOptions(
        out_dir=tmp_path / "rec", base_url=server.url + "/", profile_path=path, timeout_s=5,
        **login,
    )  # fmt: skip
    result = locate_cancel(profile, options, runtime)
    assert result.status == "found", result.error  # logged in by that source alone
    bundle = Path(result.bundle or "")
    names = [str(p) for p in bundle.rglob("*") if p.is_file()]
    blobs = [p.read_bytes() for p in bundle.rglob("*") if p.is_file()]
    with zipfile.ZipFile(bundle / "trace.zip") as trace:
        names.extend("trace:" + n for n in trace.namelist())
        blobs.extend(trace.read(n) for n in trace.namelist())
    return result, names, blobs


def test_cookies_log_in_and_leave_no_value_behind(
    logged_in: tuple[SiteServer, dict[str, Any]],
    registry: ProfileRegistry,
    runtime: Runtime,
    tmp_path: Path,
) -> None:
    server, state = logged_in
    lines = ["# Netscape HTTP Cookie File"]
    for c in state["cookies"]:
        prefix = "#HttpOnly_" if c.get("httpOnly") else ""
        lines.append(
            f"{prefix}{c['domain']}\tFALSE\t{c['path']}\tFALSE\t0\t{c['name']}\t{c['value']}"
        )
    lines.append(".unrelated.example\tTRUE\t/\tFALSE\t0\tother\tsecret-of-another-site")
    cookies = _write(tmp_path / "cookies.txt", "\n".join(lines) + "\n")
    values = [c["value"] for c in state["cookies"] if len(c["value"]) >= 4]
    assert values

    before = {p for p in Path(tempfile.gettempdir()).rglob("*") if p.is_file()}
    _, names, blobs = _locate_with(server, registry, runtime, tmp_path, cookies_file=cookies)
    left = {p for p in Path(tempfile.gettempdir()).rglob("*") if p.is_file()} - before
    for leftover in left:
        if str(tmp_path) not in str(leftover) and os.access(leftover, os.R_OK):
            blobs.append(leftover.read_bytes())
            names.append(str(leftover))
    for value in [*values, "secret-of-another-site"]:
        holding = [n for n, b in zip(names, blobs, strict=True) if value.encode() in b]
        assert holding == [], value


def _chromium_profile(folder: Path, cookies: list[tuple[str, str, str]]) -> Path:
    """A Chromium profile folder whose ``Cookies`` store holds ``(host, name, value)``, values
    encrypted the way Chromium does on Linux without a keyring ('v10', the 'peanuts' key)."""
    import sqlite3

    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    key = PBKDF2HMAC(hashes.SHA1(), 16, b"saltysalt", 1).derive(b"peanuts")

    def encrypt(value: str) -> bytes:
        padder = padding.PKCS7(128).padder()
        data = padder.update(value.encode()) + padder.finalize()
        cipher = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).encryptor()
        return b"v10" + cipher.update(data) + cipher.finalize()

    folder.mkdir(parents=True)
    db = sqlite3.connect(folder / "Cookies")
    db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('version', '20')")
    db.execute(
        "CREATE TABLE cookies(host_key TEXT, name TEXT, value TEXT, encrypted_value BLOB, "
        "path TEXT, expires_utc INTEGER, is_secure INTEGER, is_httponly INTEGER)"
    )
    for host, name, value in cookies:
        db.execute(
            "INSERT INTO cookies VALUES (?, ?, '', ?, '/', 0, 0, 1)", (host, name, encrypt(value))
        )
    db.commit()
    db.close()
    return folder


def test_cookies_from_browser_reads_a_chromium_store_for_the_platform_only(
    logged_in: tuple[SiteServer, dict[str, Any]],
    registry: ProfileRegistry,
    runtime: Runtime,
    tmp_path: Path,
) -> None:
    server, state = logged_in
    stored = [(c["domain"], c["name"], c["value"]) for c in state["cookies"]]
    profile_dir = _chromium_profile(
        tmp_path / "chromium-profile", [*stored, (".unrelated.example", "sid", "other-site-9f2")]
    )
    read = read_browser_cookies(f"chromium:{profile_dir}", ["127.0.0.1"])
    assert {(c["name"], c["value"]) for c in read["cookies"]} == {(n, v) for _, n, v in stored}

    spec = f"chromium:{profile_dir}"
    _, _, blobs = _locate_with(server, registry, runtime, tmp_path, cookies_from_browser=spec)
    for _, _, value in stored:
        if len(value) >= 4:
            assert not any(value.encode() in blob for blob in blobs)


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("netscape", UsageError, "unknown browser 'netscape'. Use one of chrome, chromium, edge"),
        ("chromium:{empty}", SessionError, "chromium holds no cookie for shop.example"),
    ],
)
def test_cookies_from_browser_errors_say_what_to_do(
    tmp_path: Path, spec: str, error: type[CancelscoutError], message: str
) -> None:
    empty = _chromium_profile(tmp_path / "empty", [(".other.example", "sid", "x" * 8)])
    with pytest.raises(error) as caught:
        read_browser_cookies(spec.format(empty=empty), ["shop.example"])
    assert message in caught.value.message
