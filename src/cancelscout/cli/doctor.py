"""``cancelscout doctor``: is this machine ready to produce good evidence?"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from cancelscout import paths
from cancelscout.cli.common import BrowserOpt, ProfilesOpt, out
from cancelscout.errors import BrowserNotFoundError


def cjk_fonts() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split(",")[0].strip() for line in listed.splitlines() if line.strip()})


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def run_doctor(console: Console, extra_profiles: list[Path], explicit_browser: str | None) -> int:
    from playwright.sync_api import sync_playwright

    from cancelscout.browser.launch import INSTALL_HINT, browser_version, resolve_browser
    from cancelscout.profiles.registry import ProfileRegistry

    problems = 0

    def line(ok: bool, what: str, detail: str, fix: str = "") -> None:
        nonlocal problems
        problems += not ok
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        console.print(f"{mark} {what}: {escape(detail)}")
        if fix and not ok:
            console.print(f"    fix: {escape(fix)}")

    with sync_playwright() as playwright:
        try:
            choice = resolve_browser(explicit_browser, playwright)
            version = browser_version(choice, playwright) or "version unknown"
            line(True, "browser", f"{choice.describe()} — {version}")
        except BrowserNotFoundError as exc:
            line(False, "browser", exc.message, INSTALL_HINT)
    fonts = cjk_fonts()
    line(
        bool(fonts),
        "CJK font",
        ", ".join(fonts[:3]) or "none found",
        "sudo apt-get install fonts-noto-cjk (without it Chinese renders as boxes in screenshots)",
    )
    registry = ProfileRegistry.default(extra_profiles)
    for folder in registry.folders:
        state = "present" if folder.is_dir() else "absent (optional)"
        console.print(f"  profile folder: {escape(str(folder))} — {state}")
    line(
        bool(registry.ids()),
        "profiles",
        f"{len(registry.ids())} found",
        "run from a cancelscout checkout or pass --profiles DIR",
    )
    for warning in registry.warnings:
        console.print(f"[yellow]![/] {escape(warning)}")
    output = paths.default_output_dir()
    line(
        _writable(output),
        "output folder",
        str(output),
        "run from a writable folder or set CANCELSCOUT_OUT",
    )
    line(
        os.access(paths.home().parent, os.W_OK) or paths.home().exists(),
        "private data folder",
        str(paths.home()),
        "set CANCELSCOUT_HOME to a writable folder",
    )
    console.print("all good" if not problems else f"{problems} problem(s) found")
    return 1 if problems else 0


def doctor_cmd(
    profiles: ProfilesOpt = None,
    browser: BrowserOpt = None,
) -> None:
    """Check the browser, the CJK font, profile folders and the output folder."""
    raise typer.Exit(run_doctor(out, profiles or [], browser))


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_cmd)
