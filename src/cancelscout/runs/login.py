"""``cancelscout login``: get a logged-in session and save it privately.

Interactive (default): a headed browser at the login page; the user logs in however the site
wants (QR code, SMS code, password) and we wait until the profile's logged-in rules hold.
Scripted: with the profile's ``login.form`` and a username/password, headless.
The password is typed into the page and never logged or stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urljoin

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from cancelscout.browser import rules
from cancelscout.browser.actions import Actions
from cancelscout.browser.locators import build
from cancelscout.browser.policy import NetworkPolicy, allowed_requests
from cancelscout.browser.runtime import Runtime
from cancelscout.browser.watch import guard_page
from cancelscout.errors import (
    BlockedActionError,
    LoginRequiredError,
    SiteError,
    UsageError,
    first_line,
)
from cancelscout.profiles.schema import Profile

POLL_S = 1.0
VERIFY_EVERY_S = 3.0


def _open(
    profile: Profile, runtime: Runtime, *, read_only: bool
) -> tuple[BrowserContext, Page, Actions]:
    """A context on the platform's hosts at its login page. Scripted logins keep the network
    read-only except for the form's submission; in an interactive login the person drives."""
    context = runtime.new_context()
    policy = NetworkPolicy(
        profile.hosts(), allow_requests=allowed_requests(profile), read_only=read_only
    )
    policy.install(context)
    actions = Actions(policy)
    page = context.pages[0] if context.pages else context.new_page()
    guard_page(page, lambda _kind, _text, _url: None)  # nothing to record: login has no bundle
    try:
        actions.open_page(page, urljoin(profile.base_url, profile.login.url))
    except (PlaywrightError, BlockedActionError) as exc:
        context.close()
        raise SiteError(f"cannot open the login page: {first_line(str(exc))}") from None
    return context, page, actions


def _verified_state(
    context: BrowserContext, actions: Actions, profile: Profile, timeout_ms: float
) -> dict[str, Any] | None:
    """Open the profile's check page in a fresh tab; the storage state if it shows logged in."""
    check = context.new_page()
    try:
        actions.open_page(check, urljoin(profile.base_url, profile.login.check_url))
        if rules.logged_in(check, profile.login, timeout_ms):
            return cast(dict[str, Any], context.storage_state())
        return None
    finally:
        check.close()


def login_with_form(
    profile: Profile,
    runtime: Runtime,
    username: str,
    password: str,
    *,
    timeout_s: float = 30,
    base_url: str | None = None,
) -> dict[str, Any]:
    profile = profile.at(base_url)
    form = profile.login.form
    if form is None:
        raise UsageError(
            f"profile '{profile.id}' declares no login form, so --username cannot be used; run "
            f"'cancelscout login {profile.id}' without it and log in in the browser window."
        )
    context, page, actions = _open(profile, runtime, read_only=True)
    try:
        timeout_ms = timeout_s * 1000
        actions.type_into(build(page, form.username), username, timeout_ms)
        actions.type_into(build(page, form.password), password, timeout_ms)
        actions.submit_login(build(page, form.submit), timeout_ms)
        state = _verified_state(context, actions, profile, min(timeout_ms, 8000))
        if state is None:
            raise LoginRequiredError(
                f"logging in to '{profile.id}' as '{username}' did not succeed (still logged out "
                "after submitting the form). Check the username and password."
            )
        return state
    finally:
        context.close()


def login_interactive(
    profile: Profile,
    runtime: Runtime,
    *,
    timeout_s: float = 300,
    base_url: str | None = None,
    on_wait: Callable[[Page], None] | None = None,
) -> dict[str, Any]:
    profile = profile.at(base_url)
    context, _page, actions = _open(profile, runtime, read_only=False)
    login_url = urljoin(profile.base_url, profile.login.url)
    deadline = time.monotonic() + timeout_s
    next_check = 0.0
    try:
        while time.monotonic() < deadline:
            pages = [p for p in context.pages if not p.is_closed()]
            if not pages:
                raise LoginRequiredError("the browser window was closed before the login finished.")
            current = pages[-1]
            if on_wait is not None:
                on_wait(current)  # the person at the window (or a test acting as them)
            # Sites land anywhere after a login, so once the window has left the login page,
            # ask the profile's check page (in a second tab, every few seconds) for the truth.
            if not current.url.startswith(login_url) and time.monotonic() >= next_check:
                next_check = time.monotonic() + VERIFY_EVERY_S
                state = _verified_state(context, actions, profile, 3000)
                if state is not None:
                    return state
            time.sleep(POLL_S)
        raise LoginRequiredError(
            f"no login within {timeout_s:.0f} s. Run 'cancelscout login {profile.id}' again."
        )
    finally:
        context.close()
