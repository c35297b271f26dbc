"""The self-contained ``report.html``: every image inlined, no external resource."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from cancelscout.evidence.bundle import EvidenceBundle, iso_ms
from cancelscout.i18n import strings
from cancelscout.result import LocateResult

_ENV = Environment(
    loader=PackageLoader("cancelscout", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _data_uri(path: Path) -> str | None:
    if not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def write_report(bundle: EvidenceBundle, result: LocateResult, *, lang: str, masked: int) -> Path:
    steps: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    for record in bundle.records:
        images = [
            {"name": a["name"], "src": _data_uri(bundle.root / a["name"])}
            for a in record["artifacts"]
            if a["name"].endswith(".png")
        ]
        steps.append({**record, "images": images})
        files.extend(record["artifacts"])
    annotated = None
    if result.entry is not None and result.entry.screenshot:
        annotated = _data_uri(bundle.root / result.entry.screenshot)
    html = _ENV.get_template("report.html.j2").render(
        t=strings(lang),
        lang=lang,
        result=result,
        steps=steps,
        files=files,
        annotated=annotated,
        breadcrumb=result.breadcrumb(),
        masked=masked,
        started=iso_ms(bundle.started),
        run_id=bundle.run_id,
    )
    path = bundle.root / "report.html"
    bundle.write("report.html", html.encode("utf-8"))
    return path
