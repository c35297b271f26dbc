"""``cancelscout profiles list | show ID | check [PATH...] | schema | learn | new`` (``test``
lives in ``profiles_test.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cancelscout.cli.common import ProfilesOpt, err, handle_errors
from cancelscout.errors import ProfileError
from cancelscout.exitcodes import ExitCode

if TYPE_CHECKING:  # pydantic models load when a command runs, not for --help
    from cancelscout.profiles.registry import ProfileRegistry

profiles_app = typer.Typer(help="List, show and validate site profiles.", no_args_is_help=True)
# Piped output keeps whole rows (ids, paths) on one line instead of folding at 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)


def open_registry(extra: list[Path] | None) -> ProfileRegistry:
    from cancelscout.profiles.registry import ProfileRegistry

    return ProfileRegistry.default(extra or [])


def _warn(registry: ProfileRegistry) -> None:
    for warning in registry.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")


@profiles_app.command("list")
def list_cmd(profiles: ProfilesOpt = None) -> None:
    """All profiles with their metadata; broken ones with their error."""
    registry = open_registry(profiles)
    _warn(registry)
    table = Table("id", "name", "base_url", "routes", "maintainer", "verified", "file")
    broken = 0
    for item in registry.list():
        if item.profile is None:
            broken += 1
            table.add_row(
                item.entry.id,
                "[red]invalid[/]",
                escape(item.error or ""),
                "",
                "",
                "",
                str(item.entry.path),
            )
            continue
        p = item.profile
        table.add_row(
            p.id,
            escape(p.name),
            escape(p.base_url),
            str(len(p.routes)),
            escape(p.meta.maintainer or ""),
            str(p.meta.last_verified or ""),
            str(item.entry.path),
        )
    out.print(table)
    folders = ", ".join(str(f) for f in registry.folders)
    err.print(f"{len(registry.ids())} profiles ({broken} invalid) from: {escape(folders)}")
    if broken:
        raise typer.Exit(int(ExitCode.USAGE))


@profiles_app.command("show")
@handle_errors
def show_cmd(
    profile_id: Annotated[str, typer.Argument(metavar="ID")], profiles: ProfilesOpt = None
) -> None:
    """Print the profile as loaded (defaults filled in)."""
    profile, path = open_registry(profiles).get(profile_id)  # handle_errors: message, exit 2
    out.print(f"# {path}", markup=False)
    data = profile.model_dump(mode="json", exclude_none=True)
    import yaml

    out.print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), markup=False)


def _files_to_check(paths: list[Path], registry: ProfileRegistry) -> list[Path]:
    from cancelscout.profiles.registry import PROFILE_SUFFIXES

    if not paths:
        files = [registry.entry(i).path for i in registry.ids()]
        for folder in registry.folders:  # templates (_*.yaml) are checked too
            if folder.is_dir():
                files.extend(p for p in sorted(folder.glob("_*")) if p.suffix in PROFILE_SUFFIXES)
        return files
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if p.suffix in PROFILE_SUFFIXES)
        else:
            files.append(path)
    return files


@profiles_app.command("check")
def check_cmd(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: all).")
    ] = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Validate profiles; exit 0 when all are valid, 2 otherwise."""
    from cancelscout.profiles.loader import load_profile

    registry = open_registry(profiles)
    _warn(registry)
    failures = 0
    files = _files_to_check(paths or [], registry)
    for path in files:
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            failures += 1
            out.print(f"[red]✗[/] {escape(exc.message)}")
        else:
            out.print(
                f"[green]✓[/] {escape(str(path))}: {escape(profile.id)} "
                f"({len(profile.routes)} routes)"
            )
    if not files:
        out.print("no profile files found")
    err.print(f"{len(files) - failures} valid, {failures} invalid")
    raise typer.Exit(int(ExitCode.USAGE) if failures else 0)


_LOCATOR_REF = {"$ref": "#/$defs/Locator"}
_LOCATOR_OR_TEXT = {"anyOf": [_LOCATOR_REF, {"type": "string"}]}


def _accept_shorthands(node: Any) -> Any:
    """Mirror the loader's shorthands in the schema: a bare string is a text locator, and a
    single locator may stand where a list of locators is expected."""
    if isinstance(node, dict):
        if node == _LOCATOR_REF:
            return _LOCATOR_OR_TEXT
        if node.get("type") == "array" and node.get("items") == _LOCATOR_REF:
            return {
                **{k: v for k, v in node.items() if k not in ("type", "items")},
                "anyOf": [{"type": "array", "items": _LOCATOR_OR_TEXT}, _LOCATOR_OR_TEXT],
            }
        return {key: _accept_shorthands(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_accept_shorthands(item) for item in node]
    return node


def profile_json_schema() -> str:
    from cancelscout.profiles.schema import Profile

    schema = _accept_shorthands(Profile.model_json_schema())
    frame = schema["$defs"]["Locator"]["properties"]["frame"]
    frame["anyOf"] = [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    frame.pop("type", None)
    frame.pop("items", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cancelscout site profile"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@profiles_app.command("schema")
def schema_cmd(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
) -> None:
    """Print (or write) the JSON Schema of profiles, for editor completion and validation."""
    text = profile_json_schema()
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {escape(str(output))}")


@profiles_app.command("learn")
def learn_cmd(
    url: Annotated[str, typer.Option("--url", help="Start page of the site (logged in).")],
    profile_id: Annotated[str, typer.Option("--id", help="Id of the new profile.")],
    session: Annotated[
        Path | None, typer.Option("--session", help="Playwright storage-state JSON.")
    ] = None,
    user_data_dir: Annotated[
        Path | None, typer.Option("--user-data-dir", help="A logged-in browser profile folder.")
    ] = None,
    to: Annotated[
        Path | None,
        typer.Option("--to", help="Folder to write the profile to (default: your profiles)."),
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Evidence folder.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds per element.")] = 15,
    browser: Annotated[str | None, typer.Option("--browser", help="Chromium executable.")] = None,
) -> None:
    """Run discovery on URL and write a replayable, commented profile from what it found."""
    import re

    from cancelscout import paths
    from cancelscout.browser.runtime import open_runtime
    from cancelscout.exitcodes import exit_code_for_status
    from cancelscout.profiles.schema import PROFILE_ID_PATTERN
    from cancelscout.runs.discover import discover_cancel
    from cancelscout.runs.learn import learned_profile_yaml
    from cancelscout.runs.locate import LocateOptions

    if not re.fullmatch(PROFILE_ID_PATTERN, profile_id):
        err.print(
            f"[red]error:[/] '{escape(profile_id)}' is not a valid profile id: use "
            "lowercase letters, digits, '-' and '_'."
        )
        raise typer.Exit(int(ExitCode.USAGE))
    folder = to or paths.user_profiles_dir()
    target = folder / f"{profile_id}.yaml"
    if target.exists() and not force:
        err.print(f"[red]error:[/] {escape(str(target))} exists; pass --force to replace it.")
        raise typer.Exit(int(ExitCode.USAGE))
    options = LocateOptions(
        out_dir=out_dir or paths.default_output_dir(),
        session_file=session,
        user_data_dir=user_data_dir,
        timeout_s=timeout,
    )
    with open_runtime(browser) as runtime:
        run = discover_cancel(url, options, runtime)
    if run.result.status != "found":
        err.print(
            f"[red]{escape(run.result.status)}[/]: nothing to learn "
            f"({escape(run.result.error or 'no entry found')}); evidence: "
            f"{escape(str(run.result.report))}"
        )
        raise typer.Exit(exit_code_for_status(run.result.status))
    text = learned_profile_yaml(run, profile_id)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {escape(str(target))}: {escape(' › '.join(run.result.breadcrumb()))}")
    err.print(
        f"replay it with: cancelscout locate-cancel {profile_id}"
        + (f" --profiles {escape(str(folder))}" if to else "")
    )


@profiles_app.command("new")
def new_cmd(
    profile_id: Annotated[str, typer.Argument(metavar="ID", help="Id of the new profile.")],
    url: Annotated[str, typer.Option("--url", help="The platform's address.")],
    name: Annotated[str | None, typer.Option("--name", help="The platform's name.")] = None,
    to: Annotated[
        Path | None, typer.Option("--to", help="Folder (default: your profiles folder).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Scaffold a commented profile from the annotated example, ready to fill in."""
    import re
    from urllib.parse import urlsplit

    from cancelscout import paths
    from cancelscout.profiles.loader import load_profile
    from cancelscout.profiles.schema import PROFILE_ID_PATTERN

    parts = urlsplit(url)
    if not re.fullmatch(PROFILE_ID_PATTERN, profile_id) or parts.scheme not in ("http", "https"):
        err.print(
            "[red]error:[/] use an id of lowercase letters, digits, '-' and '_', and an "
            "http(s) --url."
        )
        raise typer.Exit(int(ExitCode.USAGE))
    template = (paths.REPO_ROOT / "site_profiles" / "_example.yaml").read_text(encoding="utf-8")
    host = parts.hostname or profile_id
    text = (
        template.replace("id: example", f"id: {profile_id}")
        .replace("name: 示例卡盟 Example Shop", f"name: {name or host}")
        .replace("base_url: https://www.example.com/", f"base_url: {parts.scheme}://{host}/")
        .replace('"*.example.com"', f'"*.{host.removeprefix("www.")}"')
    )
    text = text.replace(
        "# ANNOTATED EXAMPLE PROFILE — copy it to `<your-platform-id>.yaml` to add a platform.",
        f"# Profile of {name or host}, scaffolded by "
        "`cancelscout profiles new`: replace every example value.",
    )
    folder = to or paths.user_profiles_dir()
    target = folder / f"{profile_id}.yaml"
    if target.exists() and not force:
        err.print(f"[red]error:[/] {escape(str(target))} exists; pass --force to replace it.")
        raise typer.Exit(int(ExitCode.USAGE))
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    load_profile(target)  # the scaffold itself is valid
    out.print(f"wrote {escape(str(target))}")
    err.print(f"next: edit it, then 'cancelscout profiles test {profile_id}'")
