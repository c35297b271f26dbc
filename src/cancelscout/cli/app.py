"""The ``cancelscout`` command line (typer): the app, its options, and the command groups.

Each command group is a module of ``cli/`` with a ``register(app)``; exit codes come from
``exitcodes.py`` only. Heavy imports (Playwright, pydantic models, jinja2) happen inside the
commands, so ``--help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from cancelscout import __version__
from cancelscout.cli import (
    demo,
    doctor,
    evidence,
    export,
    integrity,
    locate,
    profiles,
    profiles_test,
)
from cancelscout.cli.common import err, out
from cancelscout.exitcodes import ExitCode

app = typer.Typer(
    name="cancelscout",
    help="Locate and prove the hidden cancel / auto-renew entry of membership sites.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
)


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
    from cancelscout.cli import logging_setup  # structlog: only when a command runs

    logging_setup.configure(verbose=verbose)


locate.register(app)  # locate-cancel, login
profiles_test.register(profiles.profiles_app)  # profiles test
app.add_typer(profiles.profiles_app, name="profiles")
evidence.register(app)  # capture, letter, report
integrity.register(app)  # verify, keygen
export.register(app)  # export --wacz
demo.register(app)
doctor.register(app)


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
