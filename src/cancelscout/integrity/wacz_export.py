"""A bundle's network record as a WACZ web archive (``cancelscout export BUNDLE --wacz``).

ReplayWeb.page and other WACZ readers replay from it what the browser loaded during the run::

    archive/network.warc.gz      the bundle's own file, byte for byte (sanitised when it was
                                 recorded: integrity/har_warc.py)
    indexes/index.cdx.gz, .idx   the CDXJ index (py-wacz's indexer)
    pages/pages.jsonl            the pages the run loaded, titled from the step records
    cancelscout/manifest.json    the bundle's manifest, and beside it as they are in the bundle:
    cancelscout/steps.jsonl      the step chain, and signer.pub.pem, manifest.sig, timestamp.tsr
    datapackage.json             every file above with its SHA-256 and size, and ``cancelscout``
                                 metadata (run, manifest hash, the seals)
    datapackage-digest.json      the hash of datapackage.json, signed (integrity/wacz_seal.py)

The WARC's and the other bundle files' SHA-256 in ``datapackage.json`` are those in the bundle's
``manifest.json``, so the bundle's own signature and RFC 3161 token (both over that manifest)
reach the archive's pages: a reader checks the token against ``cancelscout/manifest.json``
and finds the WARC's hash in it. Only an intact bundle is exported.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cancelscout import __version__
from cancelscout.errors import UsageError
from cancelscout.integrity.bundle import MANIFEST, STEPS, sha256_bytes, utc_now
from cancelscout.integrity.har_warc import NETWORK_WARC
from cancelscout.integrity.verify import verify_bundle
from cancelscout.integrity.wacz_seal import (
    DATAPACKAGE,
    DIGEST,
    digest_document,
    signing_fields,
    wacz_hash,
)

WACZ_VERSION = "1.1.1"
BUNDLE_FOLDER = "cancelscout"
# Top-level bundle files the archive carries (the WACZ validator reads two path levels only).
BUNDLE_FILES = (MANIFEST, "manifest.sig", "signer.pub.pem", "timestamp.tsr", STEPS)
_STORED = ("archive/", "indexes/index.cdx.gz")  # read by byte range: never compressed


@dataclass(frozen=True)
class WaczExport:
    path: Path
    size: int
    pages: int
    main_page: str | None
    signer: str | None  # Ed25519 fingerprint
    timestamp: bool  # the bundle's RFC 3161 token is carried
    manifest_sha256: str


def _warc_pages(warc: Path) -> list[dict[str, str]]:
    """The pages listed in the WARC's warcinfo record (``har_warc``)."""
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "warcinfo":
                break
            for line in record.content_stream().read().decode("utf-8").splitlines():
                name, _, value = line.partition(":")
                if name == "json-metadata":
                    pages = json.loads(value).get("pages", [])
                    return [dict(p) for p in pages if isinstance(p, dict)]
    return []


def _pages(warc: Path, steps: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each main-frame document of the WARC, titled by the step that showed it; a step's URL
    with a fragment (a single-page app's route) is a page of its own, at the step's time."""
    titles: dict[str, str] = {}
    for record in steps:
        url, title = record.get("url_after"), record.get("title")
        if isinstance(url, str) and isinstance(title, str) and title:
            titles.setdefault(url, title)
    pages = []
    for page in _warc_pages(warc):
        url = page["url"]
        pages.append(
            {"id": page["id"], "url": url, "ts": page["ts"], "title": titles.get(url, url)}
        )
    loaded = {p["url"] for p in pages}
    for record in steps:
        url = record.get("url_after")
        if not isinstance(url, str) or url in loaded or urldefrag(url).url not in loaded:
            continue
        loaded.add(url)
        pages.append(
            {
                "id": sha256_bytes(f"{record['time']}/{url}".encode())[:24],
                "url": url,
                "ts": str(record["time"]),
                "title": titles.get(url, url),
            }
        )
    return pages


def _main_page(manifest: dict[str, Any], pages: list[dict[str, str]]) -> dict[str, str] | None:
    """The entry's page when the run found one, else the last page loaded."""
    entry = (manifest.get("result") or {}).get("entry") or {}
    for page in pages:
        if page["url"] == entry.get("page_url"):
            return page
    return pages[-1] if pages else None


def _index(warc: Path) -> tuple[bytes, bytes]:
    """The compressed CDXJ index and its ``.idx``, by py-wacz's indexer (what ``wacz create``
    writes)."""
    from wacz.waczindexer import WACZIndexer

    cdx = io.BytesIO()
    idx = io.BytesIO()
    text = io.TextIOWrapper(idx, "utf-8", write_through=True)
    with contextlib.redirect_stdout(io.StringIO()):  # the library reports progress on stdout
        indexer = WACZIndexer(
            text,
            [str(warc)],
            sort=True,
            post_append=True,
            compress=cdx,
            lines=1024,
            digest_records=True,
            fields="referrer,req.http:cookie",
            data_out_name="index.cdx.gz",
            hash_type="sha256",
            detect_pages=False,
        )
        indexer.process_all()
    text.flush()
    return cdx.getvalue(), idx.getvalue()


def _pages_jsonl(pages: list[dict[str, str]]) -> bytes:
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Pages the run loaded"}]
    return "".join(
        json.dumps(line, ensure_ascii=False) + "\n" for line in [*lines, *pages]
    ).encode()


def export_wacz(bundle: Path, out: Path, *, key: Ed25519PrivateKey | None = None) -> WaczExport:
    """Write the WACZ of intact bundle ``bundle`` to ``out`` (signed when ``key`` is given)."""
    report = verify_bundle(bundle)
    if report.status == "not_a_bundle":
        raise UsageError(f"{bundle} is not an evidence bundle (no steps.jsonl or manifest.json).")
    if report.status != "intact":
        problems = "; ".join(report.messages[:3]) or "no manifest.json"
        raise UsageError(
            f"{bundle} is {report.status.replace('_', ' ')}, not intact ({problems}): only a "
            "bundle that verifies is exported. Run 'cancelscout verify' on it."
        )
    if out.resolve().is_relative_to(bundle.resolve()):
        raise UsageError(f"{out} is inside the bundle; a file added there would make it tampered.")
    warc = bundle / NETWORK_WARC
    manifest_bytes = (bundle / MANIFEST).read_bytes()
    manifest = json.loads(manifest_bytes)
    if not warc.is_file():
        raise UsageError(
            f"{bundle} has no network record ({NETWORK_WARC}): it was made with --no-trace, "
            "attached to your browser (--cdp), or by a cancelscout before WACZ export."
        )
    steps = [json.loads(line) for line in (bundle / STEPS).read_text("utf-8").splitlines() if line]
    pages = _pages(warc, steps)
    main = _main_page(manifest, pages)
    cdx, idx = _index(warc)
    members: list[tuple[str, bytes]] = [
        (f"archive/{NETWORK_WARC}", warc.read_bytes()),
        ("indexes/index.cdx.gz", cdx),
        ("indexes/index.idx", idx),
        ("pages/pages.jsonl", _pages_jsonl(pages)),
    ]
    members += [
        (f"{BUNDLE_FOLDER}/{name}", (bundle / name).read_bytes())
        for name in BUNDLE_FILES
        if (bundle / name).is_file()
    ]
    created = f"{utc_now():%Y-%m-%dT%H:%M:%SZ}"
    software = f"cancelscout {__version__}"
    package: dict[str, Any] = {
        "profile": "data-package",
        "resources": [
            {
                "name": Path(name).name.lower(),
                "path": name,
                "hash": wacz_hash(data),
                "bytes": len(data),
            }
            for name, data in members
        ],
        "title": f"cancelscout · {manifest.get('platform')} · {bundle.name}",
        "description": "What the browser loaded during a cancelscout run, sanitised: secret "
        "headers, request bodies, session values and personal data redacted.",
        "created": created,
        "wacz_version": WACZ_VERSION,
        "software": software,
        "cancelscout": {
            "bundle": bundle.name,
            "run_id": manifest.get("run_id"),
            "status": manifest.get("status"),
            "manifest": f"{BUNDLE_FOLDER}/{MANIFEST}",
            "manifest_sha256": sha256_bytes(manifest_bytes),
            "bundle_signer": (manifest.get("signer") or {}).get("fingerprint"),
            "signing": signing_fields(key),
        },
    }
    if main is not None:
        package["mainPageURL"] = main["url"]
        package["mainPageDate"] = main["ts"]
    datapackage = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode()
    digest = digest_document(datapackage, created=created, software=software, key=key)
    members += [(DATAPACKAGE, datapackage), (DIGEST, digest)]
    _write_zip(out, members)
    return WaczExport(
        path=out,
        size=out.stat().st_size,
        pages=len(pages),
        main_page=main["url"] if main else None,
        signer=package["cancelscout"]["signing"].get("ed25519_fingerprint"),
        timestamp=(bundle / "timestamp.tsr").is_file(),
        manifest_sha256=sha256_bytes(manifest_bytes),
    )


def _write_zip(out: Path, members: list[tuple[str, bytes]]) -> None:
    """Write the archive next to ``out`` and move it there: never half a WACZ at ``out``."""
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=utc_now().timetuple()[:6])
                info.compress_type = (
                    zipfile.ZIP_STORED if name.startswith(_STORED) else zipfile.ZIP_DEFLATED
                )
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
