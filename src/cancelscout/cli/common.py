"""What every command shares: consoles, options, error handling, result output.

Command modules import this one, never ``app.py``; nothing outside ``cli/`` imports ``cli``.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypedDict, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from cancelscout.errors import CancelscoutError, UsageError
from cancelscout.exitcodes import exit_code_for_error, exit_code_for_status
from cancelscout.output.i18n import LANGS

if TYPE_CHECKING:  # pydantic models load when a command runs, not for --help
    from cancelscout.result import LocateResult

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
SessionOpt = Annotated[
    Path | None,
    typer.Option("--session", help="Playwright storage-state JSON of your logged-in session."),
]
CookiesOpt = Annotated[
    Path | None,
    typer.Option(
        "--cookies",
        help="cookies.txt (Netscape format, as browser extensions, curl and yt-dlp write) of "
        "your logged-in browser; only the platform's cookies are used, in memory only.",
    ),
]
CookiesFromBrowserOpt = Annotated[
    str | None,
    typer.Option(
        "--cookies-from-browser",
        help="Read the cookies of your logged-in browser: chrome, chromium, edge or firefox, "
        "optionally BROWSER:PROFILE; the platform's cookies only, in memory only.",
    ),
]
CdpOpt = Annotated[
    str | None,
    typer.Option(
        "--cdp",
        help="Attach to your running Chrome/Chromium/Edge started with --remote-debugging-port "
        "(e.g. http://127.0.0.1:9222): its login, a tab of cancelscout's own, closed after.",
    ),
]
UserDataDirOpt = Annotated[
    Path | None,
    typer.Option("--user-data-dir", help="A persistent browser profile folder that is logged in."),
]
HeadedOpt = Annotated[bool, typer.Option("--headed", help="Show the browser window.")]
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
    bool,
    typer.Option(
        "--no-trace",
        help="Leave the (sanitised) Playwright trace and network record (network.warc.gz) out.",
    ),
]


def evidence_options(
    sign_key: Path | None, no_sign: bool, tsa: str | None, no_redact: bool, no_trace: bool
) -> dict[str, Any]:
    """The LocateOptions fields that decide what the bundle holds and how it is sealed."""
    return {
        "sign_key": sign_key_path(sign_key, no_sign),
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


def sign_key_path(sign_key: Path | None, no_sign: bool) -> Path | None:
    """The key to sign with, checked now: a bad key must fail before the run, not after it."""
    from cancelscout import paths
    from cancelscout.integrity.signing import PRIVATE_KEY_NAME, load_private_key

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


def pick_lang(value: str | None, *, default: str) -> str:
    if value is None:
        return default
    if value not in LANGS:
        raise UsageError(f"--lang must be one of {', '.join(LANGS)}, got '{value}'.")
    return value


def write_json(data: dict[str, Any]) -> None:
    """One JSON object on one line of stdout (``--json``)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def emit_result(result: LocateResult, *, as_json: bool, lang: str) -> NoReturn:
    if as_json:
        write_json(result.model_dump(mode="json"))
    else:
        from cancelscout.output.summary import summary_lines

        out.print("\n".join(summary_lines(result, lang)))
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


class LoginSource(TypedDict):
    session_file: Path | None
    cookies_file: Path | None
    cookies_from_browser: str | None
    user_data_dir: Path | None


def login_source(
    session: Path | None,
    cookies: Path | None,
    from_browser: str | None,
    user_data_dir: Path | None,
    cdp: str | None = None,
) -> LoginSource:
    """The run options for where the login comes from: one of --session, --cookies,
    --cookies-from-browser, --user-data-dir and --cdp at most (--cdp goes to the runtime)."""
    given = [
        name
        for name, value in (
            ("--session", session),
            ("--cookies", cookies),
            ("--cookies-from-browser", from_browser),
            ("--user-data-dir", user_data_dir),
            ("--cdp", cdp),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise UsageError(
            "use one of --session, --cookies, --cookies-from-browser, --user-data-dir or --cdp, "
            f"not {' and '.join(given)}."
        )
    return LoginSource(
        session_file=session,
        cookies_file=cookies,
        cookies_from_browser=from_browser,
        user_data_dir=user_data_dir,
    )
