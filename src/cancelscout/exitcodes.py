"""Exit codes, mapped in one place (like scrapy's cmdline)."""

from __future__ import annotations

from enum import IntEnum

from cancelscout import errors


class ExitCode(IntEnum):
    FOUND = 0
    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    LOGIN_REQUIRED = 3
    SITE_ERROR = 4
    NEEDS_HUMAN = 5
    INTERRUPTED = 130  # the shell convention for a run stopped by Ctrl-C / SIGTERM


STATUS_EXIT: dict[str, ExitCode] = {
    "found": ExitCode.FOUND,
    "captured": ExitCode.OK,  # a capture run fixed its pages
    "not_found": ExitCode.NOT_FOUND,
    "login_required": ExitCode.LOGIN_REQUIRED,
    "needs_human": ExitCode.NEEDS_HUMAN,
    "error": ExitCode.SITE_ERROR,
    "interrupted": ExitCode.INTERRUPTED,
}

_ERROR_EXIT: list[tuple[type[errors.CancelscoutError], ExitCode]] = [
    (errors.ProfileError, ExitCode.USAGE),
    (errors.UsageError, ExitCode.USAGE),
    (errors.SessionError, ExitCode.LOGIN_REQUIRED),
    (errors.LoginRequiredError, ExitCode.LOGIN_REQUIRED),
    (errors.NeedsHumanError, ExitCode.NEEDS_HUMAN),
    (errors.BrowserNotFoundError, ExitCode.SITE_ERROR),
    (errors.SiteError, ExitCode.SITE_ERROR),
    (errors.BlockedActionError, ExitCode.SITE_ERROR),
]


def exit_code_for_status(status: str) -> int:
    return int(STATUS_EXIT[status])


def exit_code_for_error(error: errors.CancelscoutError) -> int:
    for cls, code in _ERROR_EXIT:
        if isinstance(error, cls):
            return int(code)
    return int(ExitCode.SITE_ERROR)


# ``cancelscout verify`` reports the state of a bundle, not of a run.
VERIFY_EXIT: dict[str, int] = {"intact": 0, "tampered": 1, "not_a_bundle": 2, "incomplete": 3}


def exit_code_for_verify(status: str) -> int:
    return VERIFY_EXIT[status]
