"""``cancelscout locate-cancel`` and ``cancelscout login``: find the entry in your session."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cancelscout.cli.common import (
    BaseUrlOpt,
    BrowserOpt,
    CdpOpt,
    CookiesFromBrowserOpt,
    CookiesOpt,
    HeadedOpt,
    JsonOpt,
    LangOpt,
    LoginSource,
    NoRedactOpt,
    NoSignOpt,
    NoTraceOpt,
    OutOpt,
    ProfilesOpt,
    SessionOpt,
    SignKeyOpt,
    TsaOpt,
    UserDataDirOpt,
    emit_result,
    err,
    evidence_options,
    handle_errors,
    login_source,
    pick_lang,
    progress_printer,
)
from cancelscout.errors import UsageError
from cancelscout.output.i18n import terminal_lang

if TYPE_CHECKING:
    from cancelscout.result import LocateResult


def locate_cancel_cmd(
    platform: Annotated[str | None, typer.Argument(help="Profile id, e.g. demo-xingchen.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Start page (discovery mode).")] = None,
    session: SessionOpt = None,
    cookies: CookiesOpt = None,
    cookies_from_browser: CookiesFromBrowserOpt = None,
    cdp: CdpOpt = None,
    user_data_dir: UserDataDirOpt = None,
    out_dir: OutOpt = None,
    headed: HeadedOpt = False,
    as_json: JsonOpt = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, max=300, help="Seconds to wait for each element.")
    ] = 15.0,
    profiles: ProfilesOpt = None,
    lang: LangOpt = None,
    base_url: BaseUrlOpt = None,
    browser: BrowserOpt = None,
    sign_key: SignKeyOpt = None,
    no_sign: NoSignOpt = False,
    tsa: TsaOpt = None,
    no_redact: NoRedactOpt = False,
    no_trace: NoTraceOpt = False,
    capture: Annotated[
        bool,
        typer.Option(
            "--capture",
            help="Also capture the profile's evidence pages (see 'capture') into the same bundle.",
        ),
    ] = False,
    what: Annotated[
        str, typer.Option("--what", help="With --capture: promo,agreement,orders,status or all.")
    ] = "all",
    max_pages: Annotated[
        int, typer.Option("--max-pages", min=1, help="Discovery: pages to explore at most.")
    ] = 30,
    max_actions: Annotated[
        int, typer.Option("--max-actions", min=1, help="Discovery: clicks and hovers at most.")
    ] = 80,
    time_budget: Annotated[
        float, typer.Option("--time-budget", min=5, help="Discovery: seconds at most.")
    ] = 180.0,
) -> None:
    """Follow the profile's routes in your session and stop at the cancel entry (never click it)."""
    from cancelscout.browser.runtime import open_runtime
    from cancelscout.runs.locate import LocateOptions, locate_cancel
    from cancelscout.session import saved_session_path

    if platform is None and url is None:
        raise UsageError(
            "missing PLATFORM (a profile id, see 'cancelscout profiles list') or --url URL "
            "(discovery on a site without a profile)."
        )
    source = login_source(session, cookies, cookies_from_browser, user_data_dir, cdp)
    lang_code = pick_lang(lang, default=terminal_lang())
    evidence = evidence_options(sign_key, no_sign, tsa, no_redact, no_trace)
    budgets = {"max_pages": max_pages, "max_actions": max_actions, "time_budget_s": time_budget}
    if platform is None and capture:
        raise UsageError(
            "--capture needs a PLATFORM whose profile lists its evidence pages; for a site "
            "without a profile run 'cancelscout capture --url URL' after discovery."
        )
    if platform is None:
        assert url is not None
        result = _discover(
            url,
            source,
            cdp,
            out_dir,
            headed,
            timeout,
            lang,
            browser,
            progress_printer(not as_json),
            {**evidence, **budgets},
        )
        emit_result(result, as_json=as_json, lang=lang_code)
    from cancelscout.profiles.registry import ProfileRegistry

    registry = ProfileRegistry.default(profiles or [])
    profile, profile_path = registry.get(platform)
    if url is not None:
        base_url = base_url or url
    if not any(source.values()) and cdp is None:
        saved = saved_session_path(profile.id)
        source["session_file"] = saved if saved.exists() else None
    from cancelscout import paths

    options = LocateOptions(
        out_dir=out_dir or paths.default_output_dir(),
        **source,
        timeout_s=timeout,
        base_url=base_url,
        lang=pick_lang(lang, default="zh"),
        profile_path=profile_path,
        on_step=progress_printer(not as_json),
        **evidence,
    )
    if capture:
        from cancelscout.cli.evidence import emit_locate_with_capture
        from cancelscout.runs.capture import parse_what
        from cancelscout.runs.locate_capture import locate_and_capture

        kinds = parse_what(what)
        with open_runtime(browser, headed=headed, cdp_url=cdp) as runtime:
            both = locate_and_capture(profile, options, runtime, kinds)
        emit_locate_with_capture(*both, as_json=as_json, lang=lang_code)
    with open_runtime(browser, headed=headed, cdp_url=cdp) as runtime:
        result = locate_cancel(profile, options, runtime)
    emit_result(result, as_json=as_json, lang=lang_code)


def _discover(
    url: str,
    source: LoginSource,
    cdp: str | None,
    out_dir: Path | None,
    headed: bool,
    timeout: float,
    lang: str | None,
    browser: str | None,
    on_step: Callable[[dict[str, Any]], None] | None,
    extra: dict[str, Any],
) -> LocateResult:
    from cancelscout import paths
    from cancelscout.browser.runtime import open_runtime
    from cancelscout.runs.discover import discover_cancel
    from cancelscout.runs.locate import LocateOptions

    options = LocateOptions(
        out_dir=out_dir or paths.default_output_dir(),
        **source,
        timeout_s=timeout,
        lang=pick_lang(lang, default="zh"),
        on_step=on_step,
        **extra,
    )
    with open_runtime(browser, headed=headed, cdp_url=cdp) as runtime:
        return discover_cancel(url, options, runtime).result


def login_cmd(
    platform: Annotated[str, typer.Argument(help="Profile id.")],
    username: Annotated[
        str | None,
        typer.Option("--username", help="Log in headless through the profile's login form."),
    ] = None,
    save_to: Annotated[
        Path | None,
        typer.Option(
            "--save-to", help="Where to save the session (default: your private data folder)."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=5, help="Seconds to wait.")] = 300.0,
    profiles: ProfilesOpt = None,
    base_url: BaseUrlOpt = None,
    browser: BrowserOpt = None,
) -> None:
    """Log in once and save the session privately (0600) for later runs."""
    from cancelscout.browser.runtime import open_runtime
    from cancelscout.profiles.registry import ProfileRegistry
    from cancelscout.runs.login import login_interactive, login_with_form
    from cancelscout.session import saved_session_path, write_session

    profile, _ = ProfileRegistry.default(profiles or []).get(platform)
    target = save_to or saved_session_path(profile.id)
    if username is not None:
        password = os.environ.get("CANCELSCOUT_PASSWORD") or typer.prompt(
            "Password", hide_input=True
        )
        with open_runtime(browser, headed=False) as runtime:
            state = login_with_form(
                profile, runtime, username, password, timeout_s=min(timeout, 60), base_url=base_url
            )
    else:
        err.print(
            f"A browser window opens at {escape(profile.name)}'s login page. Log in there "
            "(QR code, SMS code or password); this command waits until you are logged in."
        )
        with open_runtime(browser, headed=True) as runtime:
            state = login_interactive(profile, runtime, timeout_s=timeout, base_url=base_url)
    write_session(target, state)
    err.print(f"[green]Logged in.[/] Session saved to {escape(str(target))} (mode 0600).")


def register(app: typer.Typer) -> None:
    app.command("locate-cancel")(handle_errors(locate_cancel_cmd))
    app.command("login")(handle_errors(login_cmd))
