"""The human summary of a run (the terminal counterpart of report.html), as lines of rich
markup: the CLI decides where they are printed."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from cancelscout.output.i18n import strings
from cancelscout.result import CaptureResult, LocateResult

STATUS_STYLE = {
    "found": "green",
    "not_found": "yellow",
    "login_required": "magenta",
    "needs_human": "magenta",
    "error": "red",
    "interrupted": "red",
}


def summary_lines(result: LocateResult, lang: str) -> list[str]:
    """The summary of a locate run, as rich-markup lines (the CLI prints them)."""
    t = strings(lang)
    lines: list[str] = []
    style = STATUS_STYLE[result.status]
    lines.append(f"[bold {style}]{t[result.status]}[/] · {escape(result.platform)}")
    if result.entry is not None:
        crumbs = " › ".join(result.breadcrumb())
        lines.append(f"  {t['breadcrumb']}: [bold]{escape(crumbs)}[/]")
        lines.append(f"  {t['url']}: {escape(result.entry.page_url)}")
    lines.append(
        f"  {t['clicks']}: {result.clicks}  {t['hovers']}: {result.hovers}  "
        f"{t['pages']}: {result.pages_visited}  {t['duration']}: {result.duration_s:.1f}s"
    )
    lines.append(f"  {t['auto_renew']}: {t[result.auto_renew]}")
    if result.friction is not None:
        grade = t["grade_" + result.friction.grade]
        lines.append(f"  {t['friction']}: [bold]{grade}[/] — {escape(result.friction.reason)}")
    if result.error:
        lines.append(f"  {t['error_msg']}: {escape(result.error)}")
    if result.login_command:
        lines.append(f"  {t['fix_login']}: [bold]{escape(result.login_command)}[/]")
    if result.report:
        lines.append(f"  {t['report']}: {escape(result.report)}")
    if result.entry is not None and result.entry.screenshot and result.bundle:
        lines.append(
            f"  {t['screenshot']}: {escape(str(Path(result.bundle) / result.entry.screenshot))}"
        )
    return lines


def capture_summary_lines(result: CaptureResult, lang: str) -> list[str]:
    """The summary of a capture run, as rich-markup lines."""
    zh = lang == "zh"
    lines: list[str] = []
    labels = {
        "captured": ("已采集证据页面", "Evidence captured"),
        "not_found": ("没有采集到页面", "No page captured"),
        "login_required": ("需要重新登录", "Login required"),
        "needs_human": ("需要人工完成验证", "A human check is needed"),
        "error": ("运行出错", "Run failed"),
        "interrupted": ("运行被中断", "Run interrupted"),
    }
    label = labels[result.status][0 if zh else 1]
    style = "green" if result.status == "captured" else "yellow"
    lines.append(f"[bold {style}]{label}[/] · {escape(result.platform)}")
    ok = [p for p in result.pages if p.text]
    lines.append(("  页面" if zh else "  pages") + f": {len(ok)}/{len(result.pages)}")
    grade = f" · {result.grade.grade}" if result.grade else ""
    flagged = "  可质疑条款" if zh else "  flagged clauses"
    lines.append(f"{flagged}: {len(result.clauses)}{grade}")
    lines.append(("  宣传承诺" if zh else "  promises") + f": {len(result.promises)}")
    members = sum(1 for o in result.orders if o.membership)
    lines.append(
        ("  购买记录" if zh else "  orders")
        + f": {len(result.orders)} ({members} "
        + ("笔会员购买" if zh else "membership")
        + ")"
    )
    lines.append(
        ("  自动续费" if zh else "  auto-renew")
        + f": {result.auto_renew}  "
        + ("下次扣费" if zh else "next charge")
        + f": {result.next_charge or '-'}"
    )
    if result.error:
        lines.append(("  错误" if zh else "  error") + f": {escape(result.error)}")
    if result.login_command:
        first = "  请先运行" if zh else "  run first"
        lines.append(f"{first}: [bold]{escape(result.login_command)}[/]")
    if result.report:
        lines.append(("  报告" if zh else "  report") + f": {escape(result.report)}")
    return lines
