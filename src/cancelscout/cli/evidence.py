"""``cancelscout capture | letter | report``: from evidence to action.

Registered on the main app by ``cli/app.py``; shares its options, error handling and exit codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cancelscout.cli.common import (
    BaseUrlOpt,
    BrowserOpt,
    CdpOpt,
    CookiesFromBrowserOpt,
    CookiesOpt,
    HeadedOpt,
    JsonOpt,
    LangOpt,
    NoRedactOpt,
    NoSignOpt,
    NoTraceOpt,
    OutOpt,
    ProfilesOpt,
    SessionOpt,
    SignKeyOpt,
    TsaOpt,
    UserDataDirOpt,
    err,
    evidence_options,
    handle_errors,
    login_source,
    out,
    pick_lang,
    progress_printer,
    sign_key_path,
    write_json,
)
from cancelscout.errors import UsageError
from cancelscout.exitcodes import exit_code_for_status
from cancelscout.output.i18n import terminal_lang

if TYPE_CHECKING:
    from cancelscout.result import CaptureResult, LocateResult

WhatOpt = Annotated[
    str,
    typer.Option(
        "--what", help="Which evidence pages: promo,agreement,orders,status or all (default)."
    ),
]


def _emit(result: CaptureResult, *, as_json: bool, lang: str) -> None:
    if as_json:
        write_json(result.model_dump(mode="json"))
    else:
        from cancelscout.output.summary import capture_summary_lines

        out.print("\n".join(capture_summary_lines(result, lang)))
    raise typer.Exit(exit_code_for_status(result.status))


def emit_locate_with_capture(
    result: LocateResult, capture: CaptureResult | None, *, as_json: bool, lang: str
) -> None:
    """``locate-cancel --capture``: the locate result, with the capture result under
    ``capture``; the exit code is locate's."""
    if as_json:
        data = result.model_dump(mode="json")
        data["capture"] = capture.model_dump(mode="json") if capture is not None else None
        write_json(data)
    else:
        from cancelscout.output.summary import capture_summary_lines, summary_lines

        out.print("\n".join(summary_lines(result, lang)))
        if capture is not None:
            out.print("\n".join(capture_summary_lines(capture, lang)))
    raise typer.Exit(exit_code_for_status(result.status))


def capture_cmd(
    platform: Annotated[str | None, typer.Argument(help="Profile id (omit with --url).")] = None,
    what: WhatOpt = "all",
    url: Annotated[
        list[str] | None,
        typer.Option("--url", help="An extra page to capture (repeatable); alone: no profile."),
    ] = None,
    session: SessionOpt = None,
    cookies: CookiesOpt = None,
    cookies_from_browser: CookiesFromBrowserOpt = None,
    cdp: CdpOpt = None,
    user_data_dir: UserDataDirOpt = None,
    out_dir: OutOpt = None,
    headed: HeadedOpt = False,
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
    from cancelscout.browser.policy import NetworkPolicy
    from cancelscout.browser.runtime import open_runtime
    from cancelscout.profiles.registry import ProfileRegistry
    from cancelscout.runs.capture import (
        CaptureOptions,
        capture,
        parse_what,
        url_profile,
    )
    from cancelscout.session import saved_session_path

    urls = tuple(url or ())
    source = login_source(session, cookies, cookies_from_browser, user_data_dir, cdp)
    lang_code = pick_lang(lang, default=terminal_lang())
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
        profile = profile.at(base_url)
        policy = NetworkPolicy(profile.hosts())
        off_host = [u for u in urls if "://" in u and not policy.allows_url(u)]
        if off_host:
            raise UsageError(
                f"--url {off_host[0]} is not on {profile.id}'s hosts "
                f"({', '.join(profile.hosts())}); capture stays on the platform."
            )
        if not any(source.values()) and cdp is None:
            saved = saved_session_path(profile.id)
            source["session_file"] = saved if saved.exists() else None
    options = CaptureOptions(
        out_dir=out_dir or paths.default_output_dir(),
        what=kinds,
        urls=urls,
        **source,
        timeout_s=timeout,
        lang=pick_lang(lang, default="zh"),
        profile_path=profile_path,
        on_step=progress_printer(not as_json),
        with_profile=platform is not None,
        **evidence,
    )
    with open_runtime(browser, headed=headed, cdp_url=cdp) as runtime:
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
    from cancelscout.integrity.bundle_read import BundleView, sibling_locate_bundles
    from cancelscout.output.letters.build import build_context
    from cancelscout.output.letters.facts import load_facts
    from cancelscout.output.letters.render import render_html, render_markdown

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
        from cancelscout.browser.printing import html_to_pdf
        from cancelscout.browser.runtime import open_runtime

        with open_runtime(browser) as runtime:
            target.write_bytes(html_to_pdf(runtime, render_html(context)))
    out.print(str(target))


def report_cmd(
    bundle: Annotated[Path, typer.Argument(help="The bundle folder.")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Print the whole report as PDF.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Where to write the PDF.")] = None,
    browser: BrowserOpt = None,
    sign_key: SignKeyOpt = None,
    no_sign: NoSignOpt = False,
    tsa: TsaOpt = None,
) -> None:
    """Show where a bundle's report is, or print it to PDF (Chinese fonts embedded) for
    complaint forms that take PDF or images; the PDF is signed (PAdES) with your key, and
    timestamped when a TSA is given."""
    from cancelscout.integrity.bundle_read import BundleView

    view = BundleView.load(bundle)
    report = view.root / "report.html"
    if not pdf:
        out.print(str(report))
        return
    key_path = sign_key_path(sign_key, no_sign)
    from cancelscout.browser.printing import file_to_pdf
    from cancelscout.browser.runtime import open_runtime

    target = out_file or _default_output(view.root, "report", ".pdf")
    with open_runtime(browser) as runtime:
        data = file_to_pdf(runtime, report)
    if key_path is None:
        target.write_bytes(data)
        out.print(str(target))
        return
    from cancelscout.integrity.pdf_signing import sign_pdf
    from cancelscout.integrity.signing import fingerprint, load_private_key

    key = load_private_key(key_path)
    signed, certificate = sign_pdf(
        data, key, reason=f"cancelscout evidence report {view.root.name}"
    )
    target.write_bytes(signed)
    cert_file = target.with_suffix(".cert.der")
    cert_file.write_bytes(certificate)
    out.print(str(target))
    err.print(f"signed (PAdES) by key {fingerprint(key.public_key())}; certificate: {cert_file}")


def register(app: typer.Typer) -> None:
    app.command("capture")(handle_errors(capture_cmd))
    app.command("letter")(handle_errors(letter_cmd))
    app.command("report")(handle_errors(report_cmd))
