"""The human summary of a locate run (the terminal counterpart of report.html)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from cancelscout.i18n import strings
from cancelscout.result import LocateResult

STATUS_STYLE = {
    "found": "green",
    "not_found": "yellow",
    "login_required": "magenta",
    "needs_human": "magenta",
    "error": "red",
    "interrupted": "red",
}


def print_summary(console: Console, result: LocateResult, lang: str) -> None:
    t = strings(lang)
    style = STATUS_STYLE[result.status]
    console.print(f"[bold {style}]{t[result.status]}[/] · {escape(result.platform)}")
    if result.entry is not None:
        crumbs = " › ".join(result.breadcrumb())
        console.print(f"  {t['breadcrumb']}: [bold]{escape(crumbs)}[/]")
        console.print(f"  {t['url']}: {escape(result.entry.page_url)}")
    console.print(
        f"  {t['clicks']}: {result.clicks}  {t['hovers']}: {result.hovers}  "
        f"{t['pages']}: {result.pages_visited}  {t['duration']}: {result.duration_s:.1f}s"
    )
    console.print(f"  {t['auto_renew']}: {t[result.auto_renew]}")
    if result.friction is not None:
        grade = t["grade_" + result.friction.grade]
        console.print(f"  {t['friction']}: [bold]{grade}[/] — {escape(result.friction.reason)}")
    if result.error:
        console.print(f"  {t['error_msg']}: {escape(result.error)}")
    if result.login_command:
        console.print(f"  {t['fix_login']}: [bold]{escape(result.login_command)}[/]")
    if result.report:
        console.print(f"  {t['report']}: {escape(result.report)}")
    if result.entry is not None and result.entry.screenshot and result.bundle:
        console.print(
            f"  {t['screenshot']}: {escape(str(Path(result.bundle) / result.entry.screenshot))}"
        )
