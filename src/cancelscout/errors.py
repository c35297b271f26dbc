"""The one error hierarchy of cancelscout.

Every error the tool raises on purpose derives from :class:`CancelscoutError` and carries a
human-readable ``message``. The CLI maps each class to an exit code in ``exitcodes.py``; anything
else that escapes is a bug and is reported as such.
"""

from __future__ import annotations


class CancelscoutError(Exception):
    """Base class. ``message`` is a complete sentence meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CancelscoutError):
    """The command line asks for something impossible or contradictory."""


class ProfileError(CancelscoutError):
    """A site profile could not be loaded: the message names file, line, key and a fix."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key


class ProfileNotFoundError(ProfileError):
    """No profile with the requested id exists in any profile folder."""


class BrowserNotFoundError(CancelscoutError):
    """No usable Chromium/Chrome was found; the message says how to install one."""


class SessionError(CancelscoutError):
    """A saved session file is missing, unreadable or unsafe (readable by others)."""


class LoginRequiredError(CancelscoutError):
    """The session is missing or expired: the user must log in again."""


class NeedsHumanError(CancelscoutError):
    """The site shows a captcha, slider or SMS challenge that only a person can pass."""


class SiteError(CancelscoutError):
    """The site or the browser failed: unreachable, timeout, crash, HTTP error."""


class BlockedActionError(CancelscoutError):
    """The engine refused an action: a dangerous control, or navigation off the platform."""


def first_line(text: str) -> str:
    """The first line of an error text (Playwright's carry call logs below it)."""
    return text.strip().splitlines()[0] if text.strip() else text


# Call-log lines of a Playwright action error that say why it failed, most telling first.
_WHY_MARKS = ("intercepts pointer events", "not attached", "detached", "not enabled",
              "not visible", "not stable", "outside of the viewport")  # fmt: skip


def action_failure(text: str) -> str:
    """A failed action's error as one line: its first line and the call-log line that says
    why ("<div class=cover> intercepts pointer events", "element is not enabled")."""
    head = first_line(text)
    lines = [line.strip(" -") for line in text.splitlines()[1:]]
    for mark in _WHY_MARKS:
        for line in reversed(lines):
            if mark in line:
                return f"{head} ({line[:160]})"
    return head
