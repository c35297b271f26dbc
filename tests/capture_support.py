"""Shared fixtures of the capture and letter tests (imported by those test modules)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.result import CaptureResult
from cancelscout.runs.capture import CaptureOptions, capture, url_profile

PROFILE = "fx-multipage-evidence"
Capture = Callable[..., CaptureResult]


@pytest.fixture(name="capture_run")
def capture_run_fixture(runtime: Runtime, registry: ProfileRegistry, tmp_path: Path) -> Capture:
    """Run capture in-process on a fixture server (``profile_id=None``: ``--url`` mode)."""

    def run(
        profile_id: str | None, server: SiteServer, session: Path | None, **options: Any
    ) -> CaptureResult:
        urls = tuple(options.pop("urls", ()))
        if profile_id is None:
            profile, path = url_profile(urls), None
        else:
            found, path = registry.get(profile_id)
            profile = found.at(server.url + "/")
        opts = CaptureOptions(
            out_dir=options.pop("out_dir", tmp_path / "recordings"),
            session_file=session,
            urls=urls,
            profile_path=path,
            timeout_s=options.pop("timeout_s", 5.0),
            with_profile=profile_id is not None,
            **options,
        )
        return capture(profile, opts, runtime)

    return run


def read_records(bundle: Path) -> list[dict[str, Any]]:
    lines = (bundle / "steps.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def pdf_text(path: Path) -> str:
    import unicodedata

    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return unicodedata.normalize("NFKC", text)
