"""``cancelscout demo``: the whole job on the bundled demo shop, served locally."""

from __future__ import annotations

import typer

from cancelscout.cli.common import (
    BrowserOpt,
    HeadedOpt,
    JsonOpt,
    LangOpt,
    NoRedactOpt,
    NoSignOpt,
    NoTraceOpt,
    OutOpt,
    SignKeyOpt,
    TsaOpt,
    emit_result,
    err,
    evidence_options,
    handle_errors,
    pick_lang,
    progress_printer,
)
from cancelscout.output.i18n import terminal_lang


def demo_cmd(
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    headed: HeadedOpt = False,
    browser: BrowserOpt = None,
    sign_key: SignKeyOpt = None,
    no_sign: NoSignOpt = False,
    tsa: TsaOpt = None,
    no_redact: NoRedactOpt = False,
    no_trace: NoTraceOpt = False,
) -> None:
    """Serve the bundled demo shop locally, log in, and locate its hidden cancel entry."""
    from cancelscout import paths
    from cancelscout.runs.demo import run_demo

    lang_code = pick_lang(lang, default=terminal_lang())
    evidence = evidence_options(sign_key, no_sign, tsa, no_redact, no_trace)
    result = run_demo(
        out_dir=out_dir or paths.default_output_dir(),
        lang=pick_lang(lang, default="zh"),
        headed=headed,
        browser=browser,
        on_step=progress_printer(not as_json),
        announce=None if as_json else (lambda text: err.print(text)),
        evidence=evidence,
    )
    emit_result(result, as_json=as_json, lang=lang_code)


def register(app: typer.Typer) -> None:
    app.command("demo")(handle_errors(demo_cmd))
