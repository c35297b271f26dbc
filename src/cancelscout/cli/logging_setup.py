"""structlog configuration, called once from the CLI entry point.

Logs go to stderr as key/value lines, so ``--json`` output on stdout stays one clean object.
Below ``--verbose`` only warnings, errors and the one-line run summary are shown.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

ALWAYS_SHOWN = {"run_finished"}


def _threshold(level: int) -> Any:
    def drop_quiet(_logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        numeric = logging.getLevelName(method.upper())
        if isinstance(numeric, int) and numeric < level and event.get("event") not in ALWAYS_SHOWN:
            raise structlog.DropEvent
        return event

    return drop_quiet


def configure(*, verbose: bool = False) -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            _threshold(logging.INFO if verbose else logging.WARNING),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.KeyValueRenderer(
                key_order=["timestamp", "level", "event"], drop_missing=True
            ),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
