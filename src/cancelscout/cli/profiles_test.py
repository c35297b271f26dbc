"""``cancelscout profiles test ID [ID...] | --all``: run profiles step by step, one browser.

Several profiles are tested in one browser, each run in a fresh context of its own (no cookie or
storage crosses from one platform to the next): launching Chromium once instead of per platform
is what makes checking many platforms cheap (``benchmarks/one_browser.py`` measures it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cancelscout.cli.common import ProfilesOpt, err, handle_errors
from cancelscout.cli.profiles import open_registry, out
from cancelscout.exitcodes import ExitCode

if TYPE_CHECKING:
    from cancelscout.result import LocateResult


def _print_steps(result: LocateResult) -> None:
    steps = [
        json.loads(line)
        for line in (Path(result.bundle or "") / "steps.jsonl").read_text("utf-8").splitlines()
    ]
    for step in steps:
        if step["action"] in ("close", "explore"):
            continue
        mark = {"ok": "[green]✓[/]", "found": "[bold green]★[/]"}.get(step["outcome"], "[red]✗[/]")
        route = f"[{escape(step['route'])}] " if step.get("route") else ""
        out.print(
            f"{mark} {route}{escape(step['action'])} {escape(str(step['label']))}"
            + (f" — {escape(str(step['error']))}" if step.get("error") else "")
        )
        nearest = step.get("nearest") or []
        if nearest:
            offered = ", ".join(f"{n['label']} ({n['similarity']:.0%})" for n in nearest)
            out.print(f"    the page offered instead: {escape(offered)}")
    out.print(f"result: {result.status}; report: {escape(str(result.report))}")


def register(group: typer.Typer) -> None:
    group.command("test")(handle_errors(test_cmd))


def test_cmd(
    profile_ids: Annotated[
        list[str] | None, typer.Argument(metavar="ID...", help="Profiles to test.")
    ] = None,
    all_saved: Annotated[
        bool, typer.Option("--all", help="Every profile that has a saved session.")
    ] = False,
    session: Annotated[
        Path | None, typer.Option("--session", help="Storage-state JSON (one ID only).")
    ] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Mirror address.")] = None,
    profiles: ProfilesOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Evidence folder.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds per step.")] = 10,
    browser: Annotated[str | None, typer.Option("--browser", help="Chromium executable.")] = None,
) -> None:
    """Run profiles step by step; say which step fails and what the page offered instead."""
    from cancelscout import paths
    from cancelscout.browser.runtime import open_runtime
    from cancelscout.exitcodes import exit_code_for_status
    from cancelscout.runs.locate import LocateOptions, locate_cancel
    from cancelscout.session import saved_session_path

    registry = open_registry(profiles)
    ids = list(profile_ids or [])
    if all_saved:
        ids += [i for i in registry.ids() if i not in ids and saved_session_path(i).exists()]
    if not ids:
        err.print("[red]error:[/] name a profile ID, or pass --all (every saved session).")
        raise typer.Exit(int(ExitCode.USAGE))
    if (session is not None or base_url is not None) and len(ids) > 1:
        err.print("[red]error:[/] --session and --base-url belong to one profile: name one ID.")
        raise typer.Exit(int(ExitCode.USAGE))
    chosen = [(registry.get(i), i) for i in ids]  # handle_errors: a wrong id stops before launch
    codes: list[int] = []
    with open_runtime(browser) as runtime:  # one browser; each run opens its own context
        for (profile, path), profile_id in chosen:
            if len(chosen) > 1:
                out.print(f"[bold]{escape(profile_id)}[/]")
            saved = saved_session_path(profile.id)
            options = LocateOptions(
                out_dir=out_dir or paths.default_output_dir(),
                session_file=session or (saved if saved.exists() else None),
                base_url=base_url,
                profile_path=path,
                timeout_s=timeout,
            )
            result = locate_cancel(profile, options, runtime)
            _print_steps(result)
            codes.append(exit_code_for_status(result.status))
    if len(chosen) > 1:
        found = codes.count(int(ExitCode.FOUND))
        out.print(f"{found}/{len(chosen)} profiles reached their entry")
    # The first profile that did not reach its entry decides the exit code.
    raise typer.Exit(next((code for code in codes if code), 0))
