"""``cancelscout export BUNDLE --wacz OUT.wacz``: a bundle's pages as a WACZ web archive.

Registered on the main app by ``cli/app.py``; shares its consoles, error handling and exit codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cancelscout.cli.common import JsonOpt, handle_errors, out, sign_key_path, write_json
from cancelscout.errors import UsageError


def export_cmd(
    bundle: Annotated[Path, typer.Argument(help="The bundle folder (recordings/<platform>/…).")],
    wacz: Annotated[
        Path | None,
        typer.Option(
            "--wacz",
            help="Write the pages the run loaded as a WACZ web archive (opens in "
            "ReplayWeb.page) to this file.",
        ),
    ] = None,
    sign_key: Annotated[
        Path | None,
        typer.Option(
            "--sign-key",
            help="Ed25519 private key to sign the archive with (default: the "
            "'cancelscout keygen' key, if it exists).",
        ),
    ] = None,
    no_sign: Annotated[bool, typer.Option("--no-sign", help="Do not sign the archive.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Export an intact bundle: --wacz writes what the browser loaded during the run, sanitised,
    with the bundle's manifest, signature and timestamp, signed with your key."""
    if wacz is None:
        raise UsageError("say what to write: --wacz OUT.wacz (a web archive of the run's pages).")
    from cancelscout.integrity.signing import load_private_key
    from cancelscout.integrity.wacz_export import export_wacz

    key_path = sign_key_path(sign_key, no_sign)
    key = load_private_key(key_path) if key_path is not None else None
    done = export_wacz(bundle, wacz, key=key)
    if as_json:
        write_json(
            {
                "wacz": str(done.path),
                "bytes": done.size,
                "pages": done.pages,
                "main_page": done.main_page,
                "signer": done.signer,
                "timestamp": done.timestamp,
                "manifest_sha256": done.manifest_sha256,
            }
        )
        return
    out.print(f"{escape(str(done.path))} ({done.size / 1024:.0f} KB, {done.pages} pages)")
    if done.signer:
        out.print(f"  signed by {escape(done.signer)} (Ed25519, and ECDSA P-384 for WACZ readers)")
    else:
        out.print("  unsigned (no key: run 'cancelscout keygen' to sign archives and bundles)")
    if done.timestamp:
        out.print("  carries the bundle's RFC 3161 timestamp (over cancelscout/manifest.json)")


def register(app: typer.Typer) -> None:
    app.command("export")(handle_errors(export_cmd))
