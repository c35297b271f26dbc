"""The run's network record: a HAR the context records, kept as a sanitised WARC.

The context records a HAR with its bodies (``record_har_path``) into a private temporary
folder; Playwright writes it when the context closes. :meth:`NetworkRecording.save` then turns
it into ``network.warc.gz`` in the bundle (``integrity/har_warc.py``, which says why the trace
is not enough) and deletes the folder, raw HAR and Cookie headers included, whatever happened.
The record follows the trace switch (``--no-trace`` leaves both out) and is not kept when
attached to the user's own browser (``--cdp``): that context would record the user's other
tabs, and its options are the browser's, not the run's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cancelscout import __version__
from cancelscout.integrity.har_warc import NETWORK_WARC, har_to_warc
from cancelscout.runs.recorder import StepRecorder

_HAR = "network.har"
_PREFIX = "cancelscout-har-"


def _sweep_orphans() -> None:
    """Remove the raw HAR folders of runs that were killed (``kill -9``) before deleting them:
    each folder is named for its process, and one whose process is gone is an orphan. POSIX
    only: there ``kill(pid, 0)`` only asks whether the process exists (on Windows it would end
    it)."""
    if os.name != "posix":
        return
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # alive, another user's


class NetworkRecording:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._folder: Path | None = None

    def context_options(self) -> dict[str, Any]:
        """Options for the run's new context: record a HAR, bodies embedded in it (written
        once, when the context closes: attached body files could still be written by a
        response that ends after the close, into a folder already deleted)."""
        if not self.enabled:
            return {}
        with contextlib.suppress(OSError):
            _sweep_orphans()
        self._folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))  # mode 0700
        return {
            "record_har_path": str(self._folder / _HAR),
            "record_har_content": "embed",
            "record_har_mode": "full",
        }

    def save(self, recorder: StepRecorder, secrets: list[str]) -> None:
        """After the context has closed: write ``network.warc.gz``, then delete the raw HAR.

        A HAR that cannot be read costs the network record (logged), never the bundle; a
        bundle that cannot be written raises OSError, as every other artifact does."""
        folder, self._folder = self._folder, None
        if folder is None:
            return
        try:
            har = folder / _HAR
            if not har.is_file():  # the context never closed cleanly (browser crash)
                recorder.log.warning("network_not_saved", error="no HAR was written")
                return
            try:
                data, summary = har_to_warc(
                    har,
                    secrets,
                    redact=recorder.redact,
                    covered=sorted(recorder.covered),
                    software=f"cancelscout {__version__}",
                )
            except (ValueError, KeyError, TypeError) as exc:
                recorder.log.warning("network_not_saved", error=f"unreadable HAR: {exc!r}")
                return
            recorder.bundle.write(NETWORK_WARC, data)
            recorder.log.info(
                "network_saved",
                responses=summary.responses,
                pages=summary.pages,
                skipped=summary.skipped,
                bytes=len(data),
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
