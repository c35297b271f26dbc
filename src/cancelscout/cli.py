"""The ``cancelscout`` command line (typer). Exit codes come from ``exitcodes.py`` only."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from cancelscout import __version__, logging_setup
from cancelscout.errors import CancelscoutError, UsageError
from cancelscout.exitcodes import ExitCode, exit_code_for_error, exit_code_for_status
from cancelscout.i18n import LANGS, terminal_lang
from cancelscout.profiles.registry import ProfileRegistry
from cancelscout.result import LocateResult
from cancelscout.summary import print_summary

app = typer.Typer(
    name="cancelscout",
    help="Locate and prove the hidden cancel / auto-renew entry of membership sites.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

ProfilesOpt = Annotated[
    list[Path] | None,
    typer.Option("--profiles", help="Extra folder of site profiles (searched first)."),
]
BrowserOpt = Annotated[
    str | None,
    typer.Option(
        "--browser",
        help="Chromium/Chrome executable (else CANCELSCOUT_BROWSER, "
        "Playwright's Chromium, system Chromium).",
    ),
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option("--base-url", help="Use the platform at this mirror address instead."),
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh or en (summary and report).")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Evidence folder (default ./recordings).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON result object on stdout.")]
SignKeyOpt = Annotated[
    Path | None,
    typer.Option(
        "--sign-key",
        help="Ed25519 private key to sign the bundle with (default: the 'cancelscout keygen' "
        "key, if it exists).",
    ),
]
NoSignOpt = Annotated[bool, typer.Option("--no-sign", help="Do not sign the bundle.")]
TsaOpt = Annotated[
    str | None,
    typer.Option(
        "--tsa",
        envvar="CANCELSCOUT_TSA_URL",
        help="RFC 3161 timestamp authority URL: the manifest gets a trusted time.",
    ),
]
NoRedactOpt = Annotated[
    bool,
    typer.Option(
        "--no-redact",
        help="Keep phone, ID, bank card and e-mail values (for your own records only).",
    ),
]
NoTraceOpt = Annotated[
    bool, typer.Option("--no-trace", help="Leave the (sanitised) Playwright trace out.")
]


def evidence_options(
    sign_key: Path | None, no_sign: bool, tsa: str | None, no_redact: bool, no_trace: bool
) -> dict[str, Any]:
    """The LocateOptions fields that decide what the bundle holds and how it is sealed."""
    return {
        "sign_key": _sign_key(sign_key, no_sign),
        "tsa_url": tsa or None,
        "redact": not no_redact,
        "trace": not no_trace,
    }


def handle_errors(func: F) -> F:
    """Turn CancelscoutError into its one-line message and mapped exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CancelscoutError as exc:
            err.print(f"[red]error:[/] {escape(exc.message)}")
            raise typer.Exit(exit_code_for_error(exc)) from None

    return wrapper  # type: ignore[return-value]


def _lang(value: str | None, *, default: str) -> str:
    if value is None:
        return default
    if value not in LANGS:
        raise UsageError(f"--lang must be one of {', '.join(LANGS)}, got '{value}'.")
    return value


def _version(value: bool) -> None:
    if value:
        out.print(f"cancelscout {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    logging_setup.configure(verbose=verbose)


def _sign_key(sign_key: Path | None, no_sign: bool) -> Path | None:
    """The key to sign with, checked now: a bad key must fail before the run, not after it."""
    from cancelscout import paths
    from cancelscout.evidence.signing import PRIVATE_KEY_NAME, load_private_key

    if no_sign:
        if sign_key is not None:
            raise UsageError("use either --sign-key or --no-sign, not both.")
        return None
    if sign_key is None:
        default = paths.home() / "keys" / PRIVATE_KEY_NAME
        if not default.exists():
            return None  # nobody ran keygen: unsigned bundles, as before signing existed
        sign_key = default
    load_private_key(sign_key)
    return sign_key


def emit_result(result: LocateResult, *, as_json: bool, lang: str) -> NoReturn:
    if as_json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        print_summary(out, result, lang)
    raise typer.Exit(exit_code_for_status(result.status))


def progress_printer(enabled: bool) -> Callable[[dict[str, Any]], None] | None:
    if not enabled:
        return None

    def show(record: dict[str, Any]) -> None:
        mark = {"ok": "[green]✓[/]", "found": "[bold green]★[/]"}.get(
            record["outcome"], f"[yellow]{escape(record['outcome'])}[/]"
        )
        err.print(
            f"  [{record['index']:>3}] {record['action']:<8} {escape(str(record['label']))} {mark}"
        )

    return show


@app.command("locate-cancel")
@handle_errors
def locate_cancel_cmd(
    platform: Annotated[str | None, typer.Argument(help="Profile id, e.g. demo-xingchen.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Start page (discovery mode).")] = None,
    session: Annotated[
        Path | None,
        typer.Option("--session", help="Playwright storage-state JSON of your logged-in session."),
    ] = None,
    user_data_dir: Annotated[
        Path | None,
        typer.Option(
            "--user-data-dir", help="A persistent browser profile folder that is logged in."
        ),
    ] = None,
    out_dir: OutOpt = None,
    headed: Annotated[bool, typer.Option("--headed", help="Show the browser window.")] = False,
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
    from cancelscout.engine.locate import LocateOptions, locate_cancel
    from cancelscout.engine.runtime import open_runtime
    from cancelscout.session import saved_session_path

    if platform is None and url is None:
        raise UsageError(
            "missing PLATFORM (a profile id, see 'cancelscout profiles list') or --url URL "
            "(discovery on a site without a profile)."
        )
    if session is not None and user_data_dir is not None:
        raise UsageError("use either --session or --user-data-dir, not both.")
    lang_code = _lang(lang, default=terminal_lang())
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
            session,
            user_data_dir,
            out_dir,
            headed,
            timeout,
            lang,
            browser,
            progress_printer(not as_json),
            {**evidence, **budgets},
        )
        emit_result(result, as_json=as_json, lang=lang_code)
    registry = ProfileRegistry.default(profiles or [])
    profile, profile_path = registry.get(platform)
    if url is not None:
        base_url = base_url or url
    if session is None and user_data_dir is None:
        saved = saved_session_path(profile.id)
        session = saved if saved.exists() else None
    from cancelscout import paths

    options = LocateOptions(
        out_dir=out_dir or paths.default_output_dir(),
        session_file=session,
        user_data_dir=user_data_dir,
        timeout_s=timeout,
        base_url=base_url,
        lang=_lang(lang, default="zh"),
        profile_path=profile_path,
        on_step=progress_printer(not as_json),
        **evidence,
    )
    if capture:
        from cancelscout.cli_evidence import emit_locate_with_capture
        from cancelscout.engine.capture import parse_what
        from cancelscout.engine.locate_capture import locate_and_capture

        kinds = parse_what(what)
        with open_runtime(browser, headed=headed) as runtime:
            both = locate_and_capture(profile, options, runtime, kinds)
        emit_locate_with_capture(*both, as_json=as_json, lang=lang_code)
    with open_runtime(browser, headed=headed) as runtime:
        result = locate_cancel(profile, options, runtime)
    emit_result(result, as_json=as_json, lang=lang_code)


def _discover(
    url: str,
    session: Path | None,
    user_data_dir: Path | None,
    out_dir: Path | None,
    headed: bool,
    timeout: float,
    lang: str | None,
    browser: str | None,
    on_step: Callable[[dict[str, Any]], None] | None,
    extra: dict[str, Any],
) -> LocateResult:
    from cancelscout import paths
    from cancelscout.engine.discover import discover_cancel
    from cancelscout.engine.locate import LocateOptions
    from cancelscout.engine.runtime import open_runtime

    options = LocateOptions(
        out_dir=out_dir or paths.default_output_dir(),
        session_file=session,
        user_data_dir=user_data_dir,
        timeout_s=timeout,
        lang=_lang(lang, default="zh"),
        on_step=on_step,
        **extra,
    )
    with open_runtime(browser, headed=headed) as runtime:
        return discover_cancel(url, options, runtime).result


@app.command("login")
@handle_errors
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
    from cancelscout.engine.login import login_interactive, login_with_form
    from cancelscout.engine.runtime import open_runtime
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


@app.command("demo")
@handle_errors
def demo_cmd(
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    headed: Annotated[bool, typer.Option("--headed", help="Show the browser window.")] = False,
    browser: BrowserOpt = None,
    sign_key: SignKeyOpt = None,
    no_sign: NoSignOpt = False,
    tsa: TsaOpt = None,
    no_redact: NoRedactOpt = False,
    no_trace: NoTraceOpt = False,
) -> None:
    """Serve the bundled demo shop locally, log in, and locate its hidden cancel entry."""
    from cancelscout import paths
    from cancelscout.demo.run import run_demo

    lang_code = _lang(lang, default=terminal_lang())
    evidence = evidence_options(sign_key, no_sign, tsa, no_redact, no_trace)
    result = run_demo(
        out_dir=out_dir or paths.default_output_dir(),
        lang=_lang(lang, default="zh"),
        headed=headed,
        browser=browser,
        on_step=progress_printer(not as_json),
        announce=None if as_json else (lambda text: err.print(text)),
        evidence=evidence,
    )
    emit_result(result, as_json=as_json, lang=lang_code)


@app.command("doctor")
def doctor_cmd(
    profiles: ProfilesOpt = None,
    browser: BrowserOpt = None,
) -> None:
    """Check the browser, the CJK font, profile folders and the output folder."""
    from cancelscout.doctor import run_doctor

    raise typer.Exit(run_doctor(out, profiles or [], browser))


def _register_subcommands() -> None:
    from cancelscout import cli_evidence, cli_integrity
    from cancelscout.cli_profiles import profiles_app

    app.add_typer(profiles_app, name="profiles")
    cli_evidence.register(app)  # capture, letter, report
    cli_integrity.register(app)  # verify, keygen


_register_subcommands()


def main() -> None:
    # SIGTERM gets the same orderly ending as Ctrl-C: the open bundle is closed and verifiable.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
