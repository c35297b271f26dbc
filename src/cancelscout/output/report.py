"""``report.html``: opens offline from its bundle, no external resource.

Images are the bundle's own files, linked by their path in the bundle, never copies: the report
adds no second copy of the evidence (a demo report was 2 MB of base64 before), and what it shows
is exactly what the manifest hashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from cancelscout.integrity.bundle import EvidenceBundle, iso_ms
from cancelscout.output.i18n import strings
from cancelscout.output.report_capture import capture_section, capture_strings, image_src
from cancelscout.result import CaptureResult, LocateResult

_ENV = Environment(
    loader=PackageLoader("cancelscout.output", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def write_report(
    bundle: EvidenceBundle, result: LocateResult | CaptureResult, *, lang: str, masked: int
) -> Path:
    steps: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    listed: set[str] = set()
    for record in bundle.records:
        images = [
            {"name": a["name"], "src": image_src(bundle, a["name"])}
            for a in record["artifacts"]
            # capture pages show their images in the capture section, not twice
            if a["name"].endswith(".png") and record.get("action") != "capture"
        ]
        steps.append({**record, "images": images})
        for artifact in record["artifacts"]:
            if artifact["name"] not in listed:  # a file several records name is listed once
                listed.add(artifact["name"])
                files.append(artifact)
    annotated = None
    locate = result if isinstance(result, LocateResult) else None
    if locate is not None and locate.entry is not None and locate.entry.screenshot:
        annotated = image_src(bundle, locate.entry.screenshot)
    html = _ENV.get_template("report.html.j2").render(
        t={**strings(lang), **capture_strings(lang, result.mode)},
        lang=lang,
        result=result,
        steps=steps,
        files=files,
        annotated=annotated,
        breadcrumb=locate.breadcrumb() if locate is not None else [],
        capture=capture_section(bundle, lang),
        explored=_explored_tree(locate.explored) if locate is not None else [],
        masked=masked,
        started=iso_ms(bundle.started),
        run_id=bundle.run_id,
    )
    path = bundle.root / "report.html"
    bundle.write("report.html", html.encode("utf-8"))
    return path


def _explored_tree(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Discovery's explored states in depth-first order, each with its indent level."""
    children: dict[Any, list[dict[str, Any]]] = {}
    for node in nodes:
        children.setdefault(node.get("parent"), []).append(node)
    ordered: list[dict[str, Any]] = []

    def walk(parent: Any, level: int) -> None:
        for node in children.get(parent, []):
            ordered.append({**node, "level": level})
            walk(node["node"], level + 1)

    walk(None, 0)
    return ordered
