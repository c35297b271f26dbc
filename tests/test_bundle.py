"""The evidence bundle on disk, without a browser: artifacts, names, the step chain."""

from __future__ import annotations

from pathlib import Path

from cancelscout.integrity.bundle import EvidenceBundle, sha256_bytes
from cancelscout.integrity.verify import verify_bundle


def test_bundle_identical_screenshot_names_the_earlier_file(tmp_path: Path) -> None:
    bundle = EvidenceBundle.create(tmp_path, "shop")
    first = bundle.write(bundle.artifact_name("screenshots", 1, "goto", ".png"), b"same pixels")
    bundle.append_step({"action": "goto", "label": "a", "artifacts": [first.as_record()]})
    again = bundle.write(bundle.artifact_name("screenshots", 2, "explore", ".png"), b"same pixels")
    other = bundle.write(bundle.artifact_name("screenshots", 2, "click", ".png"), b"new pixels")
    bundle.append_step({"action": "click", "label": "b", "artifacts": [again.as_record()]})
    assert again == first and again.name == "screenshots/001-goto.png"
    assert other.name == "screenshots/002-click.png"
    assert sorted(p.name for p in (bundle.root / "screenshots").iterdir()) == [
        "001-goto.png",
        "002-click.png",
    ]
    assert again.sha256 == sha256_bytes(b"same pixels")


def test_bundle_identical_bytes_in_other_folders_are_written(tmp_path: Path) -> None:
    bundle = EvidenceBundle.create(tmp_path, "shop")
    shot = bundle.write("screenshots/001-a.png", b"x")
    page = bundle.write("pages/001-a.png", b"x")  # a capture's own file keeps its name
    dom = bundle.write("dom/001-a.html", b"x")
    assert (shot.name, page.name, dom.name) == (
        "screenshots/001-a.png",
        "pages/001-a.png",
        "dom/001-a.html",
    )


def test_bundle_with_shared_artifacts_verifies_intact(tmp_path: Path) -> None:
    bundle = EvidenceBundle.create(tmp_path, "shop")
    for index in (1, 2):
        art = bundle.write(bundle.artifact_name("dom", index, "step", ".html"), b"<p>same</p>")
        bundle.append_step({"action": "goto", "label": str(index), "artifacts": [art.as_record()]})
    bundle.write_manifest({"status": "found"})
    report = verify_bundle(bundle.root, key=None)
    assert report.status == "intact", report.messages
    assert report.records == 3
