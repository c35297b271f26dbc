"""capture, letter and report as a user runs them: a separate process, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from cancelscout.demo.server import SiteServer
from cancelscout.integrity.pdf_signing import validate_pdf
from cancelscout.integrity.signing import generate_keypair
from cancelscout.integrity.verify import verify_bundle
from capture_support import PROFILE, pdf_text

TESTS = Path(__file__).parent
PROFILES = TESTS / "profiles"
CAPTURE_KEYS = {
    "status",
    "bundle",
    "pages",
    "clauses",
    "promises",
    "orders",
    "auto_renew",
    "next_charge",
}


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cancelscout", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "LANG": "C.UTF-8"},
    )


def _pdf_images(path: Path) -> int:
    count = 0
    for page in PdfReader(path).pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return count


def _fonts(path: Path) -> tuple[int, list[str]]:
    """(glyph fonts with embedded outlines, names of fonts that are NOT embedded).

    Chromium embeds the CJK font (an OpenType collection) as Type3 fonts whose glyphs are
    drawing procedures in the PDF itself, and other fonts as FontFile2/3 subsets."""
    embedded, missing = 0, []
    for page in PdfReader(path).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                embedded += bool(font.get("/CharProcs"))
                continue
            parts = [d.get_object() for d in (font.get("/DescendantFonts") or [])] or [font]
            for part in parts:
                descriptor = (
                    (part.get("/FontDescriptor") or {}).get_object()
                    if part.get("/FontDescriptor")
                    else {}
                )
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    embedded += 1
                else:
                    missing.append(str(part.get("/BaseFont")))
    return embedded, missing


def test_cli_capture_json_contract_letters_and_report_pdf(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    session = login_session(PROFILE, server)
    proc = run_cli(
        "capture", PROFILE, "--json", "--session", str(session), "--profiles", str(PROFILES),
        "--base-url", server.url + "/", "--out", str(tmp_path / "rec"), "--timeout", "5",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert set(result) >= CAPTURE_KEYS
    assert result["status"] == "captured"
    assert all(set(p) >= {"url", "title", "kind", "screenshot", "pdf"} for p in result["pages"])
    assert all(set(c) >= {"rule", "text", "page_url", "severity"} for c in result["clauses"])
    assert all(set(p) >= {"phrase", "page_url"} for p in result["promises"])
    assert all(set(o) >= {"order_no", "date", "amount", "item"} for o in result["orders"])
    assert result["auto_renew"] == "on" and result["next_charge"] == "2025-12-19"
    bundle = Path(result["bundle"])

    for kind in ("request", "complaint"):
        for fmt in ("md", "html"):
            out = tmp_path / f"{kind}.{fmt}"
            done = run_cli(
                "letter", str(bundle), "--kind", kind, "--format", fmt, "--out", str(out)
            )
            assert done.returncode == 0, done.stderr
            assert "VIP20250519001" in out.read_text(encoding="utf-8")
    letter_pdf = tmp_path / "request.pdf"
    done = run_cli("letter", str(bundle), "--format", "pdf", "--out", str(letter_pdf))
    assert done.returncode == 0, done.stderr
    text = pdf_text(letter_pdf).replace("\n", "")
    assert len(PdfReader(letter_pdf).pages) >= 2
    assert "VIP20250519001" in text and "12315" in text
    first_sha = result["pages"][0]["screenshot"]
    assert first_sha.split("/")[-1] in text

    done = run_cli("report", str(bundle), "--pdf")
    assert done.returncode == 0, done.stderr
    report_pdf = Path(done.stdout.strip())
    assert report_pdf.parent == bundle.parent  # never inside the bundle
    reader = PdfReader(report_pdf)
    assert len(reader.pages) >= 3
    report_text = pdf_text(report_pdf).replace("\n", "")  # table cells wrap in print
    assert "报告" in report_text and "VIP20250519001" in report_text
    assert "13912345678" not in report_text
    assert _pdf_images(report_pdf) >= 5  # screenshots and clause crops are in the PDF
    embedded, missing = _fonts(report_pdf)
    assert embedded > 0 and missing == []  # every glyph travels inside the PDF
    assert not PdfReader(report_pdf).get_fields()  # no key: not signed

    # With a key: a PAdES signature pyHanko's own validator accepts; one changed byte fails it.
    private, _ = generate_keypair(tmp_path / "keys")
    signed_pdf = tmp_path / "signed.pdf"
    done = run_cli(
        "report", str(bundle), "--pdf", "--sign-key", str(private), "--out", str(signed_pdf)
    )
    assert done.returncode == 0, done.stderr
    certificate = signed_pdf.with_suffix(".cert.der").read_bytes()
    data = signed_pdf.read_bytes()
    assert validate_pdf(data, certificate) == {
        "signed": True, "intact": True, "valid": True, "trusted": True,
        "coverage": "SignatureCoverageLevel.ENTIRE_FILE", "ok": True,
    }  # fmt: skip
    tampered = bytearray(data)
    at = tampered.index(b"VIP") if b"VIP" in tampered else len(tampered) // 3
    tampered[at] ^= 0x01
    assert validate_pdf(bytes(tampered), certificate)["ok"] is False
    other, _ = generate_keypair(tmp_path / "other-keys")
    from cryptography.hazmat.primitives import serialization

    from cancelscout.integrity.pdf_signing import self_issued_certificate
    from cancelscout.integrity.signing import load_private_key

    stranger = self_issued_certificate(load_private_key(other)).public_bytes(
        serialization.Encoding.DER
    )
    assert validate_pdf(data, stranger)["trusted"] is False  # another key's certificate
    assert verify_bundle(bundle).status == "intact"  # letters and PDFs were written outside


def test_cli_capture_usage_and_login_exit_codes(
    site_server: Callable[[str], SiteServer], tmp_path: Path
) -> None:
    server = site_server("multipage")
    common = ["--profiles", str(PROFILES), "--base-url", server.url + "/", "--out", str(tmp_path)]
    off_host = run_cli("capture", PROFILE, "--url", "https://pay.example.com/", *common)
    assert off_host.returncode == 2 and "not on" in off_host.stderr
    assert run_cli("capture").returncode == 2
    assert run_cli("capture", PROFILE, "--what", "contract", *common).returncode == 2
    no_session = run_cli("capture", PROFILE, "--what", "status", "--json", *common)
    assert no_session.returncode == 3, no_session.stderr
    assert json.loads(no_session.stdout)["login_command"] == f"cancelscout login {PROFILE}"
    missing = run_cli("letter", str(tmp_path / "nope"))
    assert missing.returncode == 2


def test_cli_locate_cancel_capture_one_bundle(
    site_server: Callable[[str], SiteServer],
    login_session: Callable[[str, SiteServer], Path],
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    session = login_session(PROFILE, server)
    proc = run_cli(
        "locate-cancel", PROFILE, "--capture", "--what", "agreement,status", "--json",
        "--session", str(session), "--profiles", str(PROFILES), "--base-url", server.url + "/",
        "--out", str(tmp_path / "rec"), "--timeout", "5",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "found"
    assert result["capture"]["status"] == "captured"
    assert result["capture"]["bundle"] == result["bundle"]
    assert [p["kind"] for p in result["capture"]["pages"]] == ["agreement", "status"]
    assert verify_bundle(Path(result["bundle"])).status == "intact"
    letter = tmp_path / "request.md"
    done = run_cli("letter", result["bundle"], "--out", str(letter))
    assert done.returncode == 0, done.stderr
    assert "个人中心 › 会员服务 › 取消自动续费" in letter.read_text(encoding="utf-8")
