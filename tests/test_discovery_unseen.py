"""Discovery on sites nobody here wrote: failed actions never silent, no loops, generated shops.

Generated shops come from ``tests/shopgen`` (seeds 0-99 tune, 1000-1199 held out); this file
runs a fixed sample of both. The full splits run in ``benchmarks/generated_shops.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.shopgen import HELD_OUT_SEEDS, TUNE_SEEDS, generate
from tests.shopgen.judge import verdict

from cancelscout.browser.runtime import Runtime
from cancelscout.demo.server import SiteServer
from cancelscout.runs.discover import DiscoveryRun, discover_cancel
from cancelscout.runs.locate import LocateOptions

TUNE_SAMPLE = [4, 19, 48, 57]  # row + fetch, ☰ drawer + notice on every page, late tab panel, …
HELD_OUT_SAMPLE = [1003, 1077, 1150]


@pytest.fixture
def discover(runtime: Runtime, tmp_path: Path) -> Callable[..., DiscoveryRun]:
    def run(server: SiteServer, start: str = "/index.html", **options: object) -> DiscoveryRun:
        opts = LocateOptions(out_dir=tmp_path / "rec", timeout_s=5, trace=False, **options)  # type: ignore[arg-type]
        return discover_cancel(server.url + start, opts, runtime)

    return run


def _steps(bundle: str) -> list[dict[str, object]]:
    lines = (Path(bundle) / "steps.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_discovery_reports_every_failed_click_in_steps_report_and_json(
    site_server: Callable[[str], SiteServer], tmp_path: Path
) -> None:
    server = site_server("failures")
    proc = subprocess.run(
        [sys.executable, "-m", "cancelscout", "locate-cancel", "--url", server.url + "/index.html",
         "--json", "--out", str(tmp_path / "rec"), "--timeout", "2", "--no-trace"],
        capture_output=True, text=True, timeout=180,
        env={**os.environ, "CANCELSCOUT_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "found"
    assert result["entry"]["text"] == "取消自动续费"  # the search went on around the failures
    failed = {item["label"]: item["error"] for item in result["failed_actions"]}
    expected = {
        "订阅管理": "intercepts pointer events",
        "我的会员": "detached",
        "会员管理": "not enabled",
    }
    assert sorted(failed) == sorted(expected)
    for label, why in expected.items():
        assert why in failed[label], failed[label]
    steps = [s for s in _steps(result["bundle"]) if s["outcome"] == "failed"]
    assert {str(s["label"]): str(s["error"]) for s in steps} == failed
    report = (Path(result["bundle"]) / "report.html").read_text(encoding="utf-8")
    assert 'id="failed-actions"' in report
    for label, error in failed.items():
        assert label in report
        assert error.split(" (")[0] in report


def test_discovery_on_a_large_cyclic_catalogue_ends_not_found_without_revisiting(
    site_server: Callable[[str], SiteServer], tmp_path: Path, discover: Callable[..., DiscoveryRun]
) -> None:
    shop = generate(5, tmp_path / "shop", goods=150, entry="none")
    server = site_server(str(tmp_path / "shop"))
    run = discover(server)
    result = run.result
    assert result.status == "not_found"
    states = [str(node["state"]) for node in result.explored]
    assert len(states) == len(set(states)), "a state was explored twice"
    stop = next(s for s in _steps(str(result.bundle)) if s["action"] == "stop")
    assert "budget spent" not in str(stop["error"])  # it ran out of ways, not of budget
    goods = [s for s in states if "/goods/" in s]
    assert len(goods) <= 1, goods  # the shop's own pages are not where an account lives
    assert [a["text"] for a in result.alternatives] == [shop.words["delete_control"]]
    assert result.alternatives[0]["context"]  # 「申请注销」 under its 账号注销 heading


@pytest.mark.parametrize("seed", [*TUNE_SAMPLE, *HELD_OUT_SAMPLE])
def test_discovery_is_right_on_generated_shops(
    seed: int,
    tmp_path: Path,
    discover: Callable[..., DiscoveryRun],
) -> None:
    assert seed in TUNE_SEEDS or seed in HELD_OUT_SEEDS
    shop = generate(seed, tmp_path / "shop")
    server = SiteServer(tmp_path / "shop").start()
    try:
        result = discover(server).result
        hits = server.state()["danger_hits"]
    finally:
        server.stop()
    assert verdict(shop, result, hits) == "ok", shop.describe()
    if shop.overlay != "none":
        dismissed = [s for s in _steps(str(result.bundle)) if s["action"] == "dismiss"]
        assert dismissed and all(s["outcome"] == "ok" for s in dismissed), shop.describe()
