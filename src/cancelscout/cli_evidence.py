"""``cancelscout capture | letter | report``: from evidence to action.

Registered on the main app by ``cli.py``; shares its options, error handling and exit codes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from cancelscout.cli import (
    BaseUrlOpt,
    BrowserOpt,
    JsonOpt,
    LangOpt,
    NoRedactOpt,
    NoSignOpt,
    NoTraceOpt,
    OutOpt,
    ProfilesOpt,
    SignKeyOpt,
    TsaOpt,
    _lang,
    evidence_options,
    handle_errors,
    progress_printer,
)
from cancelscout.errors import UsageError
from cancelscout.exitcodes import ExitCode, exit_code_for_status
from cancelscout.i18n import terminal_lang
from cancelscout.result import CaptureResult, LocateResult
from cancelscout.summary import print_summary

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

CAPTURE_EXIT: dict[str, ExitCode] = {
    "captured": ExitCode.OK,
    "not_found": ExitCode.NOT_FOUND,
    "login_required": ExitCode.LOGIN_REQUIRED,
    "needs_human": ExitCode.NEEDS_HUMAN,
    "error": ExitCode.SITE_ERROR,
    "interrupted": ExitCode.INTERRUPTED,
}
WhatOpt = Annotated[
    str,
    typer.Option(
        "--what", help="Which evidence pages: promo,agreement,orders,status or all (default)."
    ),
]


def capture_exit_code(status: str) -> int:
    return int(CAPTURE_EXIT[status])


def print_capture_summary(console: Console, result: CaptureResult, lang: str) -> None:
    zh = lang == "zh"
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
    console.print(f"[bold {style}]{label}[/] · {escape(result.platform)}")
    ok = [p for p in result.pages if p.text]
    console.print(("  页面" if zh else "  pages") + f": {len(ok)}/{len(result.pages)}")
    grade = f" · {result.grade.grade}" if result.grade else ""
    flagged = "  可质疑条款" if zh else "  flagged clauses"
    console.print(f"{flagged}: {len(result.clauses)}{grade}")
    console.print(("  宣传承诺" if zh else "  promises") + f": {len(result.promises)}")
    members = sum(1 for o in result.orders if o.membership)
    console.print(
        ("  购买记录" if zh else "  orders")
        + f": {len(result.orders)} ({members} "
        + ("笔会员购买" if zh else "membership")
        + ")"
    )
    console.print(
        ("  自动续费" if zh else "  auto-renew")
        + f": {result.auto_renew}  "
        + ("下次扣费" if zh else "next charge")
        + f": {result.next_charge or '-'}"
    )
    if result.error:
        console.print(("  错误" if zh else "  error") + f": {escape(result.error)}")
    if result.login_command:
        first = "  请先运行" if zh else "  run first"
        console.print(f"{first}: [bold]{escape(result.login_command)}[/]")
    if result.report:
        console.print(("  报告" if zh else "  report") + f": {escape(result.report)}")


def _emit(result: CaptureResult, *, as_json: bool, lang: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        print_capture_summary(out, result, lang)
    raise typer.Exit(capture_exit_code(result.status))


def emit_locate_with_capture(
    result: LocateResult, capture: CaptureResult | None, *, as_json: bool, lang: str
) -> None:
    """``locate-cancel --capture``: the locate result, with the capture result under
    ``capture``; the exit code is locate's."""
    if as_json:
        data = result.model_dump(mode="json")
        data["capture"] = capture.model_dump(mode="json") if capture is not None else None
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        print_summary(out, result, lang)
        if capture is not None:
            print_capture_summary(out, capture, lang)
    raise typer.Exit(exit_code_for_status(result.status))


def capture_cmd(
    platform: Annotated[str | None, typer.Argument(help="Profile id (omit with --url).")] = None,
    what: WhatOpt = "all",
    url: Annotated[
        list[str] | None,
        typer.Option("--url", help="An extra page to capture (repeatable); alone: no profile."),
    ] = None,
    session: Annotated[
        Path | None,
        typer.Option("--session", help="Playwright storage-state JSON of your logged-in session."),
    ] = None,
    user_data_dir: Annotated[
        Path | None,
        typer.Option("--user-data-dir", help="A persistent browser profile that is logged in."),
    ] = None,
    out_dir: OutOpt = None,
    headed: Annotated[bool, typer.Option("--headed", help="Show the browser window.")] = False,
    as_json: JsonOpt = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, max=300, help="Seconds to wait for each page.")
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
) -> None:
    """Fix the membership's evidence pages (promo, agreement, orders, status) into a bundle:
    screenshot, PDF, DOM and text of each, promises and unfair clauses flagged. Never clicks."""
    from cancelscout import paths
    from cancelscout.engine.capture import (
        CaptureOptions,
        capture,
        parse_what,
        profile_hosts,
        url_profile,
        with_base_url,
    )
    from cancelscout.engine.guard import DomainPolicy
    from cancelscout.engine.runtime import open_runtime
    from cancelscout.profiles.registry import ProfileRegistry
    from cancelscout.session import saved_session_path

    urls = tuple(url or ())
    if session is not None and user_data_dir is not None:
        raise UsageError("use either --session or --user-data-dir, not both.")
    lang_code = _lang(lang, default=terminal_lang())
    evidence = evidence_options(sign_key, no_sign, tsa, no_redact, no_trace)
    kinds = parse_what(what)
    profile_path = None
    if platform is None:
        if not urls:
            raise UsageError(
                "missing PLATFORM: name a profile (see 'cancelscout profiles list') or give "
                "the pages with --url."
            )
        profile = url_profile(urls)
    else:
        profile, profile_path = ProfileRegistry.default(profiles or []).get(platform)
        profile = with_base_url(profile, base_url)
        policy = DomainPolicy(profile_hosts(profile))
        off_host = [u for u in urls if "://" in u and not policy.allows_url(u)]
        if off_host:
            raise UsageError(
                f"--url {off_host[0]} is not on {profile.id}'s hosts "
                f"({', '.join(profile_hosts(profile))}); capture stays on the platform."
            )
        if session is None and user_data_dir is None:
            saved = saved_session_path(profile.id)
            session = saved if saved.exists() else None
    options = CaptureOptions(
        out_dir=out_dir or paths.default_output_dir(),
        what=kinds,
        urls=urls,
        session_file=session,
        user_data_dir=user_data_dir,
        timeout_s=timeout,
        lang=_lang(lang, default="zh"),
        profile_path=profile_path,
        on_step=progress_printer(not as_json),
        with_profile=platform is not None,
        **evidence,
    )
    with open_runtime(browser, headed=headed) as runtime:
        result = capture(profile, options, runtime)
    _emit(result, as_json=as_json, lang=lang_code)


def _default_output(bundle: Path, stem: str, suffix: str) -> Path:
    # Never inside the bundle: a file added after the manifest would make it "tampered".
    return bundle.parent / f"{bundle.name}-{stem}{suffix}"


def letter_cmd(
    bundles: Annotated[
        list[Path], typer.Argument(help="The capture bundle (and optionally a locate bundle).")
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="request (to the platform) or complaint (12315).")
    ] = "request",
    fmt: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    facts: Annotated[
        Path | None,
        typer.Option("--facts", help="YAML with what only you know (name, phone, amounts …)."),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Where to write the letter.")
    ] = None,
    browser: BrowserOpt = None,
) -> None:
    """Draft, in Chinese, the written request to the platform or the 12315 complaint, every
    fact tied to a bundle file by name, time, URL and SHA-256."""
    from cancelscout.evidence.bundle_read import BundleView, sibling_locate_bundles
    from cancelscout.letters.build import build_context
    from cancelscout.letters.facts import load_facts
    from cancelscout.letters.render import render_html, render_markdown, render_pdf

    if kind not in ("request", "complaint"):
        raise UsageError(f"--kind must be request or complaint, got '{kind}'.")
    if fmt not in ("md", "html", "pdf"):
        raise UsageError(f"--format must be md, html or pdf, got '{fmt}'.")
    views = [BundleView.load(path) for path in bundles]
    primary = next((v for v in views if v.capture() is not None), views[0])
    others = [v for v in views if v is not primary]
    known = {v.root.resolve() for v in views}
    for sibling in sibling_locate_bundles(primary.root):
        if sibling.resolve() in known:
            continue
        try:
            others.append(BundleView.load(sibling))
        except UsageError:
            continue  # a sibling that does not verify is not cited
    context: dict[str, Any] = build_context(kind, primary, load_facts(facts), others)  # type: ignore[arg-type]
    target = out_file or _default_output(primary.root, kind, f".{fmt}")
    if fmt == "md":
        target.write_text(render_markdown(context), encoding="utf-8")
    elif fmt == "html":
        target.write_text(render_html(context), encoding="utf-8")
    else:
        from cancelscout.engine.runtime import open_runtime

        with open_runtime(browser) as runtime:
            target.write_bytes(render_pdf(context, runtime))
    out.print(str(target))


def report_cmd(
    bundle: Annotated[Path, typer.Argument(help="The bundle folder.")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Print the whole report as PDF.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Where to write the PDF.")] = None,
    browser: BrowserOpt = None,
) -> None:
    """Show where a bundle's report is, or print it to PDF (Chinese fonts embedded) for
    complaint forms that take PDF or images."""
    from cancelscout.evidence.bundle_read import BundleView

    view = BundleView.load(bundle)
    report = view.root / "report.html"
    if not pdf:
        out.print(str(report))
        return
    from cancelscout.engine.runtime import open_runtime
    from cancelscout.evidence.pdf import file_to_pdf

    target = out_file or _default_output(view.root, "report", ".pdf")
    with open_runtime(browser) as runtime:
        target.write_bytes(file_to_pdf(runtime, report))
    out.print(str(target))


def register(app: typer.Typer) -> None:
    app.command("capture")(handle_errors(capture_cmd))
    app.command("letter")(handle_errors(letter_cmd))
    app.command("report")(handle_errors(report_cmd))
