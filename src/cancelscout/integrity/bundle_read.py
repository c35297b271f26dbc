"""Read a finished bundle back: manifest, chained step records, and the evidence files they name.

Letters and ``report --pdf`` start here. A bundle is only read once ``verify_bundle`` calls it
intact: a letter built on a tampered bundle would cite evidence that no longer holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cancelscout.errors import UsageError
from cancelscout.integrity.bundle import MANIFEST, STEPS, sha256_file
from cancelscout.integrity.verify import VerifyReport, verify_bundle
from cancelscout.result import CaptureResult, LocateResult


@dataclass(frozen=True)
class EvidenceItem:
    """One file of the bundle as a letter lists it."""

    bundle: str  # the bundle folder's name
    name: str  # bundle-relative path
    sha256: str
    time: str  # UTC time of the step record that produced it
    url: str  # the page it shows
    record: int
    what: str  # human label: 整页截图, PDF 打印件, …


_WHAT = (
    ("-annotated.png", "标注截图"),
    ("-full.png", "整页截图"),
    (".png", "截图"),
    (".pdf", "PDF 打印件"),
    (".txt", "页面可见文字"),
    (".html", "网页 DOM 快照"),
)


def describe_file(name: str) -> str:
    if "-clause-" in name:
        return "条款截图（标出原句）"
    if "-entry" in name:
        return "取消入口截图"
    return next((label for suffix, label in _WHAT if name.endswith(suffix)), "文件")


@dataclass
class BundleView:
    root: Path
    manifest: dict[str, Any]
    records: list[dict[str, Any]]
    verify: VerifyReport

    @classmethod
    def load(cls, root: Path) -> BundleView:
        report = verify_bundle(root)
        if report.status == "not_a_bundle":
            raise UsageError(f"{root} is not an evidence bundle (no steps.jsonl or manifest.json).")
        if report.status != "intact":
            problems = "; ".join(report.messages[:3])
            raise UsageError(
                f"{root} is {report.status}, not intact ({problems}). Letters are drafted only "
                "from bundles that verify: run 'cancelscout verify' on it."
            )
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        lines = (root / STEPS).read_text(encoding="utf-8").splitlines()
        return cls(root, manifest, [json.loads(line) for line in lines if line], report)

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def platform(self) -> str:
        return str(self.manifest.get("platform", ""))

    @property
    def manifest_sha256(self) -> str:
        return sha256_file(self.root / MANIFEST)

    @property
    def signer(self) -> str | None:
        signer = self.manifest.get("signer")
        return str(signer.get("fingerprint")) if isinstance(signer, dict) else None

    def capture(self) -> CaptureResult | None:
        return capture_of_records(self.records)

    def locate(self) -> LocateResult | None:
        """The locate-cancel result this bundle holds (a locate run, with or without capture)."""
        if self.manifest.get("mode") == "capture":
            return None
        result = self.manifest.get("result")
        return LocateResult.model_validate(result) if isinstance(result, dict) else None

    def record(self, index: int | None) -> dict[str, Any] | None:
        if index is None or not 1 <= index <= len(self.records):
            return None
        return self.records[index - 1]

    def items(self, actions: tuple[str, ...] = ("capture", "entry")) -> list[EvidenceItem]:
        out: list[EvidenceItem] = []
        for record in self.records:
            if record.get("action") not in actions:
                continue
            for artifact in record.get("artifacts", []):
                out.append(
                    EvidenceItem(
                        bundle=self.name,
                        name=artifact["name"],
                        sha256=artifact["sha256"],
                        time=str(record.get("time", "")),
                        url=str(record.get("url_after") or record.get("locator") or ""),
                        record=int(record["index"]),
                        what=describe_file(artifact["name"]),
                    )
                )
        return out


def sibling_locate_bundles(root: Path) -> list[Path]:
    """Other bundles of the same platform folder, newest first (their names start with the UTC
    time), that hold a locate-cancel run."""
    siblings: list[Path] = []
    for path in sorted(root.parent.iterdir(), reverse=True) if root.parent.is_dir() else []:
        if path == root or not (path / MANIFEST).is_file():
            continue
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and manifest.get("mode") in ("profile", "discovery"):
            siblings.append(path)
    return siblings


def capture_of_records(records: list[dict[str, Any]]) -> CaptureResult | None:
    """The capture summary held by the last ``capture_summary`` record, if the run captured."""
    for record in reversed(records):
        if record.get("action") == "capture_summary" and "capture_result" in record:
            return CaptureResult.model_validate(record["capture_result"])
    return None
