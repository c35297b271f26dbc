"""``cancelscout verify BUNDLE`` and ``cancelscout keygen``: integrity of evidence bundles.

Registered on the main app by ``cli/app.py``; shares its consoles, error handling and exit codes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cancelscout.cli.common import handle_errors, out


def verify_cmd(
    bundle: Annotated[
        Path,
        typer.Argument(help="The bundle folder (recordings/<platform>/…), or an exported .wacz."),
    ],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Public key (PEM) the bundle must be signed by."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    tsa_cert: Annotated[
        Path | None,
        typer.Option(
            "--tsa-cert",
            help="Root certificate(s) (PEM) the timestamp's TSA must chain to, at its time.",
        ),
    ] = None,
    tsa_policy: Annotated[
        str | None,
        typer.Option(
            "--tsa-policy", help="TSA policy (OID) the timestamp must name; needs --tsa-cert."
        ),
    ] = None,
) -> None:
    """Check a bundle's hashes, step chain and signature (exit 0 intact, 1 tampered,
    2 not a bundle, 3 incomplete); or an exported .wacz's hashes, signatures and bundle files."""
    from cancelscout.exitcodes import exit_code_for_verify
    from cancelscout.integrity.verify import verify_bundle

    if bundle.suffix.lower() == ".wacz" and bundle.is_file():
        _verify_wacz(bundle, key, as_json)

    report = verify_bundle(bundle, key=key, tsa_cert=tsa_cert, tsa_policy=tsa_policy)
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        sys.stdout.flush()
        raise typer.Exit(exit_code_for_verify(report.status))
    color = {"intact": "green", "incomplete": "yellow"}.get(report.status, "red")
    label = report.status.replace("_", " ").upper()
    run = f"run {report.run_id}, {report.records} records" if report.run_id else ""
    out.print(f"[bold {color}]{label}[/] {escape(str(bundle))}" + (f" ({run})" if run else ""))
    for message in report.messages:
        out.print(f"  - {escape(message)}")
    signature = report.signature
    if signature is not None:
        state = "valid" if signature["valid"] else "[red]INVALID[/]"
        match = {True: " · matches --key", False: " · [red]NOT the --key[/]"}.get(
            signature["matches_key"], ""
        )
        out.print(f"  signer: {escape(signature['fingerprint'])} · signature {state}{match}")
    elif report.status in ("intact", "tampered"):
        out.print("  signer: none (unsigned: manifest.json itself is not protected)")
    stamp = report.timestamp
    if stamp is not None:
        # A token whose TSA was not checked against a trust anchor (rfc3161-client, with
        # --tsa-cert) proves only that someone signed that time: it is not called valid.
        if not stamp["valid"]:
            state = "[red]INVALID[/]"
        elif stamp["trusted"]:
            state = "valid · TSA trusted (--tsa-cert)"
        else:
            state = (
                "[yellow]UNTRUSTED[/]: covers the manifest, but the TSA was not checked against "
                "a trust anchor (pass its root certificate with --tsa-cert)"
            )
        out.print(
            f"  timestamp: {escape(str(stamp['gen_time']))} by {escape(str(stamp['tsa']))} · "
            f"{state}"
        )
    raise typer.Exit(exit_code_for_verify(report.status))


def _verify_wacz(path: Path, key: Path | None, as_json: bool) -> None:
    from cancelscout.exitcodes import exit_code_for_verify
    from cancelscout.integrity.signing import load_public_key
    from cancelscout.integrity.wacz_seal import check_wacz

    check = check_wacz(path, load_public_key(key) if key else None)
    status = "intact" if check.valid else "tampered"
    if as_json:
        data = {"wacz": str(path), "status": status, "signed": check.signed,
                "signer": check.fingerprint, "matches_key": check.matches_key,
                "messages": check.problems}  # fmt: skip
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        raise typer.Exit(exit_code_for_verify(status))
    color = "green" if check.valid else "red"
    out.print(f"[bold {color}]{status.upper()}[/] {escape(str(path))} (WACZ)")
    for message in check.problems:
        out.print(f"  - {escape(message)}")
    if check.fingerprint:
        match = ""
        if check.matches_key is not None:
            match = " · matches --key" if check.matches_key else " · [red]NOT the --key[/]"
        out.print(f"  signer: {escape(check.fingerprint)}{match}")
    else:
        out.print("  signer: none (unsigned: datapackage.json itself is not protected)")
    raise typer.Exit(exit_code_for_verify(status))


def keygen_cmd(
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing signing key.")
    ] = False,
) -> None:
    """Create the Ed25519 key pair that signs every bundle from now on."""
    from cancelscout import paths
    from cancelscout.integrity.signing import fingerprint, generate_keypair, load_public_key

    private_path, public_path = generate_keypair(paths.private_dir("keys"), force=force)
    out.print(f"private key: {escape(str(private_path))} (mode 0600, keep it secret)")
    out.print(f"public key:  {escape(str(public_path))}")
    out.print(f"fingerprint: {fingerprint(load_public_key(public_path))}")


def register(app: typer.Typer) -> None:
    app.command("verify")(handle_errors(verify_cmd))
    app.command("keygen")(handle_errors(keygen_cmd))
