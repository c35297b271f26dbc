"""The run's network record (network.warc.gz) and ``export --wacz``: a web archive that WACZ
readers validate and replay, sanitised like the trace, sealed with the user's key, tied to the
bundle's manifest, signature and timestamp."""

from __future__ import annotations

import base64
import gzip
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Page, Route
from typer.testing import CliRunner
from wacz.main import main as wacz_main
from warcio.archiveiterator import ArchiveIterator

from cancelscout.cli.app import app
from cancelscout.demo.server import SiteServer
from cancelscout.errors import UsageError
from cancelscout.integrity.bundle import EvidenceBundle, sha256_bytes
from cancelscout.integrity.har_warc import NETWORK_WARC, har_to_warc
from cancelscout.integrity.scrub import REDACTED
from cancelscout.integrity.signing import generate_keypair, load_private_key, load_public_key
from cancelscout.integrity.timestamp import verify_timestamp
from cancelscout.integrity.wacz_export import export_wacz
from cancelscout.integrity.wacz_seal import check_seal, check_wacz
from cancelscout.result import LocateResult
from cancelscout.runs.network_record import NetworkRecording
from tsa_server import LocalTSA

Locate = Callable[..., LocateResult]
Login = Callable[[str, SiteServer], Path]
SECRET = "sess-7f3a9c2e41d8b6"  # a session value the synthetic HAR sends and receives
PHONE = "13812345678"


# -- reading a WACZ back ----------------------------------------------------------------------
def _members(wacz: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wacz) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _records(warc: bytes) -> list[tuple[str, str, bytes, bytes]]:
    """(type, target URI, WARC and HTTP head, payload) of every record."""
    found = []
    for record in ArchiveIterator(io.BytesIO(warc)):
        head = record.rec_headers.to_str() + (
            record.http_headers.to_str() if record.http_headers else ""
        )
        found.append(
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI") or "",
                head.encode(),
                record.content_stream().read(),
            )
        )
    return found


def _every_byte(wacz: Path) -> list[bytes]:
    """Every member of the archive, decompressed (gzip members and each WARC record)."""
    blobs = []
    for name, data in _members(wacz).items():
        blobs.append(data)
        if name.endswith(".gz"):
            blobs.append(gzip.decompress(data))
        if name.endswith(".warc.gz"):
            blobs.extend(head + body for _, _, head, body in _records(data))
    return blobs


def _response(wacz: Path, url: str) -> tuple[bytes, bytes]:
    warc = _members(wacz)[f"archive/{NETWORK_WARC}"]
    matches = [(h, b) for kind, uri, h, b in _records(warc) if kind == "response" and uri == url]
    assert matches, f"no response record for {url}"
    return matches[-1]


def _locate_logged_in(
    site_server: Callable[[str], SiteServer], login_session: Login, locate: Locate, **options: Any
) -> tuple[LocateResult, Path]:
    server = site_server("multipage")
    session = login_session("fx-multipage", server)
    result = locate("fx-multipage", server, session, **options)
    assert result.status == "found", result.error
    return result, session


# -- a real run on a fixture shop ---------------------------------------------------------
def test_wacz_export_passes_wacz_validate_and_holds_the_entry_page(
    site_server: Callable[[str], SiteServer], login_session: Login, locate: Locate, tmp_path: Path
) -> None:
    result, _ = _locate_logged_in(site_server, login_session, locate)
    assert result.entry is not None
    out = tmp_path / "run.wacz"
    done = export_wacz(Path(result.bundle or ""), out)
    assert wacz_main(["validate", "-f", str(out)]) == 0
    head, body = _response(out, result.entry.page_url)
    assert head.startswith(b"WARC/1.1") and b"200 OK" in head
    assert "取消自动续费".encode() in body
    members = _members(out)
    pages = [json.loads(line) for line in members["pages/pages.jsonl"].splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    assert result.entry.page_url in [p["url"] for p in pages[1:]]
    package = json.loads(members["datapackage.json"])
    assert package["mainPageURL"] == done.main_page == result.entry.page_url


def test_wacz_export_hashes_match_the_bundle_manifest_and_carry_its_seals(
    site_server: Callable[[str], SiteServer], login_session: Login, locate: Locate, tmp_path: Path
) -> None:
    private, public = generate_keypair(tmp_path / "keys")
    with LocalTSA() as tsa:
        result, _ = _locate_logged_in(
            site_server, login_session, locate, sign_key=private, tsa_url=tsa.url
        )
        bundle = Path(result.bundle or "")
        out = tmp_path / "run.wacz"
        export_wacz(bundle, out, key=load_private_key(private))
        members = _members(out)
        manifest_bytes = members["cancelscout/manifest.json"]
        assert manifest_bytes == (bundle / "manifest.json").read_bytes()
        manifest = json.loads(manifest_bytes)
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        package = json.loads(members["datapackage.json"])
        hashes = {r["path"]: r["hash"] for r in package["resources"]}
        assert hashes[f"archive/{NETWORK_WARC}"] == "sha256:" + listed[NETWORK_WARC]
        for name in ("steps.jsonl", "signer.pub.pem"):
            assert hashes[f"cancelscout/{name}"] == "sha256:" + listed[name]
        assert package["cancelscout"]["manifest_sha256"] == sha256_bytes(manifest_bytes)
        # The bundle's RFC 3161 token and signature, over the manifest the archive carries.
        token = verify_timestamp(
            members["cancelscout/timestamp.tsr"], manifest_bytes, trusted_cert_pem=tsa.ca_cert_pem
        )
        assert token.valid and token.trusted
    load_public_key(public).verify(members["cancelscout/manifest.sig"], manifest_bytes)


def test_wacz_export_leaves_no_session_secret_in_any_byte(
    site_server: Callable[[str], SiteServer], login_session: Login, locate: Locate, tmp_path: Path
) -> None:
    result, session = _locate_logged_in(site_server, login_session, locate)
    secrets = [c["value"].encode() for c in json.loads(session.read_text())["cookies"]]
    assert secrets
    out = tmp_path / "run.wacz"
    export_wacz(Path(result.bundle or ""), out)
    blobs = _every_byte(out)
    for blob in blobs:
        for secret in [*secrets, b"demo123"]:
            assert secret not in blob
    heads = b"".join(head for _, _, head, _ in _records(_members(out)[f"archive/{NETWORK_WARC}"]))
    assert f"Cookie: {REDACTED}".encode() in heads  # the run was logged in, and it shows


def test_wacz_replay_of_a_single_page_app_runs_its_scripts(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate: Locate,
    page: Page,
    tmp_path: Path,
) -> None:
    """Served from the archive alone, the app renders its route: the scripts are in it (the
    trace alone would have left them out)."""
    server = site_server("spa")
    result = locate("fx-spa", server, login_session("fx-spa", server))
    assert result.status == "found" and result.entry is not None
    out = tmp_path / "spa.wacz"
    export_wacz(Path(result.bundle or ""), out)
    archived: dict[str, tuple[int, dict[str, str], bytes]] = {}
    for record in ArchiveIterator(io.BytesIO(_members(out)[f"archive/{NETWORK_WARC}"])):
        if record.rec_type == "response":
            headers = dict(record.http_headers.headers)
            status = int(record.http_headers.get_statuscode())
            archived[record.rec_headers.get_header("WARC-Target-URI")] = (
                status,
                headers,
                record.content_stream().read(),
            )
    missing: list[str] = []

    def replay(route: Route) -> None:
        if route.request.url not in archived:
            missing.append(route.request.url)
            route.abort()
            return
        status, headers, body = archived[route.request.url]
        route.fulfill(status=status, headers=headers, body=body)

    server.stop()  # nothing but the archive answers from here on
    page.route("**/*", replay)
    page.goto(result.entry.page_url)
    page.get_by_role("button", name="取消订阅").wait_for(timeout=5000)
    assert missing == []


# -- the network record and the seal, without a browser ---------------------------------------
def _entry(url: str, body: bytes, mime: str, folder: Path, **extra: Any) -> dict[str, Any]:
    name = sha256_bytes(body)[:40] + ".bin"
    (folder / name).write_bytes(body)
    return {
        "pageref": "page@1",
        "_frameref": "frame@1",
        "_resourceType": extra.pop("kind", "document"),
        "startedDateTime": extra.pop("started", "2026-01-02T03:04:05.000Z"),
        "request": {
            "method": "POST" if "post" in extra else "GET",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Cookie", "value": f"sid={SECRET}"},
                {"name": "Authorization", "value": "Bearer abc.def.ghi"},
                {"name": "Accept", "value": "*/*"},
            ],
            **({"postData": extra.pop("post")} if "post" in extra else {}),
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Content-Type", "value": mime},
                {"name": "Set-Cookie", "value": f"sid={SECRET}; HttpOnly"},
                {"name": "Content-Encoding", "value": "gzip"},
            ],
            "content": {"size": len(body), "mimeType": mime, "_file": name},
        },
    }


HOME = "http://shop.example/account/"
FORM = {"mimeType": "application/x-www-form-urlencoded", "text": "user=demo&password=demo123"}


def _har(folder: Path) -> Path:
    folder.mkdir()
    html = f"<html><title>账户</title><p>手机 {PHONE}</p><a href='/x?t={SECRET}'>x</a></html>"
    entries = [
        _entry(HOME, html.encode(), "text/html; charset=utf-8", folder),
        _entry(
            f"http://shop.example/api/me?token={SECRET}",
            json.dumps({"phone": PHONE, "mobile": int(PHONE), "ratio": 1.5}).encode(),
            "application/json",
            folder,
            kind="fetch",
            post=FORM,
        ),
        _entry(
            "http://shop.example/logo.png",
            b"\x89PNG" + SECRET.encode(),
            "image/png",
            folder,
            kind="image",
        ),
    ]
    (folder / "network.har").write_text(json.dumps({"log": {"entries": entries}}), "utf-8")
    return folder / "network.har"


def _bundle(tmp_path: Path) -> Path:
    """An intact bundle with a network record, made without a browser."""
    data, _ = har_to_warc(_har(tmp_path / "har"), [SECRET], redact=True)
    bundle = EvidenceBundle.create(tmp_path / "rec", "shop")
    bundle.write(NETWORK_WARC, data)
    step = {"action": "goto", "label": "账户", "artifacts": [], "url_after": HOME, "title": "账户"}
    bundle.append_step(step)
    bundle.write_manifest({"status": "found", "result": {"entry": {"page_url": HOME}}})
    return bundle.root


def test_har_warc_redacts_secret_headers_request_bodies_and_personal_data(tmp_path: Path) -> None:
    data, summary = har_to_warc(_har(tmp_path / "har"), [SECRET], redact=True)
    assert (summary.responses, summary.pages, summary.skipped) == (3, 1, 0)
    records = _records(data)
    for _, uri, head, body in records:
        for forbidden in (SECRET, "abc.def.ghi", "demo123", PHONE, "Content-Encoding"):
            assert forbidden.encode() not in head + body + uri.encode(), forbidden
    heads = b"".join(head for _, _, head, _ in records)
    for name in ("Cookie", "Set-Cookie", "Authorization"):
        assert f"{name}: {REDACTED}".encode() in heads
    posted = [body for kind, uri, _, body in records if kind == "request" and "/api/me" in uri]
    assert posted == [REDACTED.encode()]
    api = [body for kind, uri, _, body in records if kind == "response" and "/api/me" in uri]
    assert json.loads(api[0]) == {
        "phone": "[已遮盖:手机号]",
        "mobile": "[已遮盖:手机号]",
        "ratio": 1.5,
    }
    logo = next(body for kind, uri, _, body in records if kind == "response" and "logo" in uri)
    assert logo == b"\x89PNG" + REDACTED.encode()


def test_wacz_seal_verifies_and_one_changed_byte_fails(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "keys")
    out = tmp_path / "shop.wacz"
    export_wacz(_bundle(tmp_path), out, key=load_private_key(private))
    members = _members(out)
    check = check_seal(members, load_public_key(public))
    assert check.valid, check.problems
    assert check.signed and check.matches_key is True
    # What ReplayWeb.page checks: ECDSA P-384, SHA-256 over the hash string, raw r||s.
    signed = json.loads(members["datapackage-digest.json"])["signedData"]
    key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"]))
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1"
    assert len(base64.b64decode(signed["signature"])) == 96
    for name in (f"archive/{NETWORK_WARC}", "datapackage.json", "datapackage-digest.json"):
        changed = dict(members)
        data = bytearray(changed[name])
        data[len(data) // 2] ^= 0x01
        changed[name] = bytes(data)
        assert not check_seal(changed, load_public_key(public)).valid, name
    # One byte of the file itself, in the middle of the stored WARC.
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo(f"archive/{NETWORK_WARC}")
    raw = bytearray(out.read_bytes())
    raw[info.header_offset + 30 + len(info.filename) + info.file_size // 2] ^= 0x01
    out.write_bytes(bytes(raw))
    assert not check_wacz(out, load_public_key(public)).valid


def test_wacz_seal_names_another_key_as_not_the_expected_one(tmp_path: Path) -> None:
    private, _ = generate_keypair(tmp_path / "keys")
    _, other = generate_keypair(tmp_path / "other")
    out = tmp_path / "shop.wacz"
    export_wacz(_bundle(tmp_path), out, key=load_private_key(private))
    check = check_seal(_members(out), load_public_key(other))
    assert check.matches_key is False
    assert check.problems == ["the WACZ is not signed by the expected key"]


def test_wacz_export_without_key_is_unsigned_and_valid(tmp_path: Path) -> None:
    out = tmp_path / "shop.wacz"
    done = export_wacz(_bundle(tmp_path), out)
    digest = json.loads(_members(out)["datapackage-digest.json"])
    assert done.signer is None and "signedData" not in digest
    assert wacz_main(["validate", "-f", str(out)]) == 0


def test_wacz_export_refuses_a_tampered_bundle(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    warc = bundle / NETWORK_WARC
    warc.write_bytes(warc.read_bytes() + b"\0")
    with pytest.raises(UsageError, match="tampered, not intact"):
        export_wacz(bundle, tmp_path / "shop.wacz")
    assert not (tmp_path / "shop.wacz").exists()


def test_wacz_export_refuses_a_bundle_without_network_record(tmp_path: Path) -> None:
    bundle = EvidenceBundle.create(tmp_path / "rec", "shop")
    bundle.write_manifest({"status": "found"})
    with pytest.raises(UsageError, match="no network record"):
        export_wacz(bundle.root, tmp_path / "shop.wacz")


def test_export_cli_writes_the_wacz_and_exits_2_without_a_target(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    out = tmp_path / "shop.wacz"
    runner = CliRunner()
    done = runner.invoke(app, ["export", str(bundle), "--wacz", str(out), "--no-sign", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["pages"] == 1 and out.is_file()
    missing = runner.invoke(app, ["export", str(bundle)])
    assert missing.exit_code == 2 and "--wacz OUT.wacz" in missing.output


def test_verify_cli_checks_a_wacz_against_its_bundle_manifest(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "keys")
    out = tmp_path / "shop.wacz"
    export_wacz(_bundle(tmp_path), out, key=load_private_key(private))
    runner = CliRunner()
    intact = runner.invoke(app, ["verify", str(out), "--key", str(public), "--json"])
    assert intact.exit_code == 0, intact.output
    assert json.loads(intact.stdout)["matches_key"] is True
    # One byte added to the WARC: it matches neither datapackage.json nor the bundle's manifest.
    members = _members(out)
    members[f"archive/{NETWORK_WARC}"] += b"\0"
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    tampered = runner.invoke(app, ["verify", str(out), "--json"])
    assert tampered.exit_code == 1
    assert (
        f"archive/{NETWORK_WARC}: not the bundle's (differs from its manifest)"
        in json.loads(tampered.stdout)["messages"]
    )


def test_network_record_removes_raw_har_folders_of_killed_runs(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = Path(tempfile.gettempdir()) / f"cancelscout-har-{gone.stdout.strip()}-test"
    orphan.mkdir()
    (orphan / "network.har").write_text(f"Cookie: sid={SECRET}")
    recording = NetworkRecording(True)
    options = recording.context_options()
    own = Path(options["record_har_path"]).parent
    assert not orphan.exists() and own.is_dir()
    own.rmdir()
