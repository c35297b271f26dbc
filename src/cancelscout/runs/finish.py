"""Close a run's bundle: sanitised trace, report, log summary, then the manifest (last)."""

from __future__ import annotations

import contextlib
import platform as host_platform
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import BrowserContext
from playwright.sync_api import Error as PlaywrightError

from cancelscout import __version__
from cancelscout.errors import SiteError, UsageError, first_line
from cancelscout.integrity.bundle import MANIFEST, iso_ms, sha256_file, utc_now
from cancelscout.integrity.runlog import RunLog
from cancelscout.integrity.signing import (
    load_private_key,
    sign_bundle,
    signer_fields,
    write_signer_key,
)
from cancelscout.output.report import write_report
from cancelscout.result import CaptureResult, LocateResult
from cancelscout.runs.network_record import NetworkRecording
from cancelscout.runs.recorder import StepRecorder

TIMESTAMP_FILE = "timestamp.tsr"


def _playwright_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("playwright")
    except PackageNotFoundError:
        return "unknown"


def finish_bundle(
    recorder: StepRecorder,
    context: BrowserContext | None,
    result: LocateResult | CaptureResult,
    *,
    secrets: list[str],
    profile_path: Path | None,
    browser_version: str,
    lang: str,
    sign_key: Path | None = None,
    tsa_url: str | None = None,
    network: NetworkRecording | None = None,
) -> None:
    log = recorder.log
    if context is not None:
        try:
            recorder.stop_trace(context, secrets)
        except (PlaywrightError, OSError) as exc:
            log.warning("trace_not_saved", error=first_line(str(exc)))
        with contextlib.suppress(PlaywrightError):
            context.close()  # writes the network record's HAR
    if network is not None:
        network.save(recorder, secrets)
    bundle = recorder.bundle
    ended = utc_now()
    report = write_report(bundle, result, lang=lang, masked=recorder.masked_elements)
    result.report = str(report)
    # Load the key once, before the manifest: the public key must be in the bundle (and hashed
    # in ``files``) when the manifest is written, and the signature comes right after it.
    # A key that became unreadable mid-run must not cost the evidence: the bundle is closed
    # unsigned and the error is raised once the manifest is on disk (the CLI checks it first).
    key: Ed25519PrivateKey | None = None
    key_error: UsageError | None = None
    if sign_key is not None:
        try:
            key = load_private_key(sign_key)
        except UsageError as exc:
            key_error = exc
            log.warning("bundle_not_signed", error=exc.message)
    signer: dict[str, Any] = {}
    if key is not None:
        write_signer_key(bundle.root, key)
        signer = {"signer": signer_fields(key)}
    log.info(
        "run_finished",
        status=result.status,
        clicks=result.clicks,
        pages_visited=result.pages_visited,
        auto_renew=result.auto_renew,
        duration_s=result.duration_s,
        steps=len(bundle.records),
    )
    log.close()
    bundle.write_manifest(
        {
            "tool": {"name": "cancelscout", "version": __version__},
            "playwright": _playwright_version(),
            "browser": browser_version,
            "host": {"python": host_platform.python_version(), "system": host_platform.system()},
            "profile": {
                "id": result.platform,
                "path": profile_path.name if profile_path else None,
                "sha256": sha256_file(profile_path) if profile_path else None,
            },
            "started": iso_ms(bundle.started),
            "ended": iso_ms(ended),
            "status": result.status,
            "mode": result.mode,
            "result": result.model_dump(mode="json", exclude={"bundle", "report"}),
            **signer,
        }
    )
    if key is not None:
        sign_bundle(bundle.root, key)
    if tsa_url:
        _timestamp(bundle.root, tsa_url, result, log)
    if key_error is not None:
        raise key_error


def _timestamp(root: Path, tsa_url: str, result: LocateResult | CaptureResult, log: RunLog) -> None:
    """Ask the TSA to timestamp the manifest (which carries the chain head).

    After the manifest, so the outcome goes to the result and stderr only; a TSA that fails
    costs the trusted time, never the evidence.
    """
    # Imported here: the RFC 3161 client (asn1, x509, ssl) is for runs that ask for it.
    from cancelscout.integrity.timestamp import request_timestamp, verify_timestamp

    manifest = (root / MANIFEST).read_bytes()
    try:
        token = request_timestamp(tsa_url, manifest)
    except SiteError as exc:
        result.timestamp = {"tsa_url": tsa_url, "error": exc.message}
        log.warning("timestamp_failed", tsa_url=tsa_url, error=exc.message)
        return
    (root / TIMESTAMP_FILE).write_bytes(token)
    check = verify_timestamp(token, manifest)
    result.timestamp = {"tsa_url": tsa_url, "gen_time": check.gen_time, "tsa": check.tsa}


class SealingOptions(Protocol):
    """What closing a bundle needs from a run's options (locate, discovery and capture alike)."""

    profile_path: Path | None
    lang: str
    sign_key: Path | None
    tsa_url: str | None


def close_run_bundle(
    recorder: StepRecorder,
    context: BrowserContext | None,
    result: LocateResult | CaptureResult,
    *,
    secrets: list[str],
    options: SealingOptions,
    browser_version: str,
    write_error: OSError | None,
    network: NetworkRecording | None = None,
) -> None:
    """Finish the bundle of a run that has ended, however it ended.

    Raises SiteError when the bundle could not be written (then there is no manifest, so
    `verify` reports it incomplete, never intact).
    """
    try:
        finish_bundle(
            recorder,
            context,
            result,
            secrets=secrets,
            profile_path=options.profile_path,
            browser_version=browser_version,
            lang=options.lang,
            sign_key=options.sign_key,
            tsa_url=options.tsa_url,
            network=network,
        )
    except OSError as exc:
        write_error = write_error or exc
    if write_error is not None:
        raise SiteError(
            f"cannot write the evidence bundle {recorder.bundle.root}: "
            f"{write_error.strerror or write_error}. Free some space or choose another --out."
        )
