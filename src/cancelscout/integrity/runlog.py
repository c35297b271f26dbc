"""The run's log: every event goes to structlog (stderr) and, as the same key/value line, into
the bundle's ``run.log`` — so the bundle carries its own log whatever the global logging setup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from structlog.processors import KeyValueRenderer

from cancelscout.integrity.bundle import iso_ms, utc_now

_RENDER = KeyValueRenderer(key_order=["timestamp", "level", "event"], drop_missing=True)


class RunLog:
    def __init__(
        self, path: Path, *, scrub: Callable[[Any], Any] | None = None, **context: Any
    ) -> None:
        self.path = path
        self._scrub = scrub  # known secrets out of both the stderr log and run.log
        self._file = path.open("a", encoding="utf-8")
        self._context = context
        self._log = structlog.get_logger("cancelscout.run").bind(**context)

    def _emit(self, level: str, event: str, fields: dict[str, Any]) -> None:
        if self._scrub is not None:
            fields = self._scrub(fields)
        getattr(self._log, level)(event, **fields)
        if not self._file.closed:
            line = _RENDER(
                None,
                level,
                {
                    "timestamp": iso_ms(utc_now()),
                    "level": level,
                    "event": event,
                    **self._context,
                    **fields,
                },
            )
            self._file.write(str(line) + "\n")
            self._file.flush()

    def info(self, event: str, **fields: Any) -> None:
        self._emit("info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit("warning", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit("error", event, fields)

    def close(self) -> None:
        self._file.close()
