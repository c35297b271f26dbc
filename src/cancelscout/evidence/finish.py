"""Close a run's bundle: sanitised trace, report, log summary, then the manifest (last)."""

from __future__ import annotations

import contextlib
import platform as host_platform
from pathlib import Path

from playwright.sync_api import BrowserContext
from playwright.sync_api import Error as PlaywrightError

from cancelscout import __version__
from cancelscout.evidence.bundle import iso_ms, sha256_file, utc_now
from cancelscout.evidence.recorder import StepRecorder
from cancelscout.evidence.report import write_report
from cancelscout.result import LocateResult


def _playwright_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("playwright")
    except PackageNotFoundError:
        return "unknown"


def finish_bundle(
    recorder: StepRecorder,
    context: BrowserContext | None,
    result: LocateResult,
    *,
    secrets: list[str],
    profile_path: Path | None,
    browser_version: str,
    lang: str,
) -> None:
    log = recorder.log
    if context is not None:
        try:
            recorder.stop_trace(context, secrets)
        except (PlaywrightError, OSError) as exc:
            log.warning("trace_not_saved", error=str(exc).strip().splitlines()[0])
        with contextlib.suppress(PlaywrightError):
            context.close()
    bundle = recorder.bundle
    ended = utc_now()
    report = write_report(bundle, result, lang=lang, masked=recorder.masked_elements)
    result.report = str(report)
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
        }
    )
