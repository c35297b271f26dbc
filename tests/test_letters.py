"""Letters drafted from bundles: every fact and every hash must read back to the bundle."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cancelscout.demo.server import SiteServer
from cancelscout.errors import UsageError
from cancelscout.integrity.bundle import sha256_file
from cancelscout.integrity.bundle_read import BundleView, sibling_locate_bundles
from cancelscout.output.letters.build import build_context
from cancelscout.output.letters.facts import Facts, load_facts
from cancelscout.output.letters.render import render_html, render_markdown
from cancelscout.result import LocateResult
from capture_support import PROFILE, Capture, capture_run_fixture, read_records  # noqa: F401

Login = Callable[[str, SiteServer], Path]
_ROW = re.compile(r"^\| (E\d+) \| ([^|]+) \| [^|]+ \| ([^|]+) \| ([^|]*) \| ([0-9a-f]{64}) \|$")


def _evidence_rows(letter: str) -> dict[str, tuple[str, str, str, str]]:
    rows = {}
    for line in letter.splitlines():
        match = _ROW.match(line)
        if match:
            number, name, time, url, sha = (g.strip() for g in match.groups())
            rows[number] = (name, time, url, sha)
    return rows


def _check_against_bundle(letter: str, bundles: list[BundleView]) -> None:
    """Every evidence row names a real file with its record's time, URL and SHA-256, and
    every reference in the text points at a row."""
    rows = _evidence_rows(letter)
    assert rows
    by_name = {b.name: b for b in bundles}
    for name, time, url, sha in rows.values():
        folder, relative = name.split("/", 1)
        bundle = by_name[folder]
        assert sha256_file(bundle.root / relative) == sha
        # A file can stand for several records (an unchanged page is not written twice):
        # the row's time and URL are those of one record that names it.
        record = next(
            r
            for r in bundle.records
            if {"name": relative, "sha256": sha} in r["artifacts"] and r["time"] == time
        )
        assert url in (record["url_after"], record["locator"])
    for ref in re.findall(r"E\d+", letter.split("证据清单")[0].split("## 证据材料")[0]):
        assert ref in rows, ref


def test_letter_request_facts_and_hashes_match_bundle(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    capture_run: Capture,
    locate: Callable[..., LocateResult],
) -> None:
    server = site_server("multipage")
    session = login_session(PROFILE, server)
    located = locate(PROFILE, server, session)
    result = capture_run(PROFILE, server, session)
    bundle = BundleView.load(Path(result.bundle or ""))
    siblings = [BundleView.load(p) for p in sibling_locate_bundles(bundle.root)]
    assert [s.name for s in siblings] == [Path(located.bundle or "").name]
    letter = render_markdown(build_context("request", bundle, Facts(), siblings))
    _check_against_bundle(letter, [bundle, *siblings])
    for order in result.orders:
        assert (order.order_no in letter) == order.membership
    capture_text = "".join(
        (bundle.root / (p.text or "")).read_text(encoding="utf-8") for p in result.pages
    )
    quoted = re.findall(r"“([^”]+)”（(?:http[^；）]*；证据|承诺词)", letter)
    assert len(quoted) >= 10
    for sentence in quoted:
        assert sentence in capture_text  # clauses and promises quoted exactly from the page
    assert "“自动续费状态：已开启”" in letter and "“下次扣费 2025-12-19”" in letter
    assert "位于“个人中心 › 会员服务 › 取消自动续费”" in letter
    assert "3 个工作日内" in letter and "12315" in letter
    for field in ("平台经营者名称", "姓名", "联系电话", "应退金额", "实际服务与宣传不符"):
        assert f"【待填写：{field}" in letter
    # Only articles whose quoted text supports a point are cited.
    assert "第四百九十七条" in letter and "第十条第二款" in letter and "第二十二条" in letter
    # Each with its version, the date it took effect and where its text was checked.
    assert "国务院令第778号，2024年3月15日公布，2024-07-01起施行" in letter
    assert "系转载文本，请以官方公布文本为准" in letter


def test_letter_facts_fill_placeholders_and_are_labelled(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    capture_run: Capture,
    tmp_path: Path,
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, login_session(PROFILE, server))
    facts_file = tmp_path / "facts.yaml"
    facts_file.write_text(
        "name: 张三\nphone: '13900000000'\ncompany: 云海网络科技有限公司\nrefund_amount: 30.00\n"
        "mismatch:\n  - 宣传全站9折，实际多数商品不参与折扣\ndate: 2025-11-27\n",
        encoding="utf-8",
    )
    facts = load_facts(facts_file)
    bundle = BundleView.load(Path(result.bundle or ""))
    letter = render_markdown(build_context("request", bundle, facts, []))
    assert "申请人：张三" in letter and "13900000000" in letter
    assert "致：云海网络科技有限公司" in letter
    assert "会员费用 30.00 元" in letter
    assert "宣传全站9折，实际多数商品不参与折扣" in letter and "（本人陈述）" in letter
    assert "日期：2025-11-27" in letter
    for field in ("姓名", "联系电话", "应退金额", "平台经营者名称"):
        assert f"【待填写：{field}】" not in letter
    assert "取消入口" not in letter  # no locate bundle: the letter says nothing about it
    _check_against_bundle(letter, [bundle])


def test_letter_complaint_has_12315_fields(
    site_server: Callable[[str], SiteServer], capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, None, what=("promo", "agreement"))
    bundle = BundleView.load(Path(result.bundle or ""))
    letter = render_markdown(build_context("complaint", bundle, Facts(), []))
    for heading in ("## 被投诉方信息", "## 投诉人信息", "## 投诉事实", "## 诉求", "## 证据材料"):
        assert heading in letter
    assert "平台名称：云海发卡网" in letter and f"网址：{server.url}/" in letter
    assert "【待填写：会员订单号、购买日期、金额】" in letter  # no order page was captured
    _check_against_bundle(letter, [bundle])
    html = render_html(build_context("complaint", bundle, Facts(), []))
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    assert "default-src 'none'" in html


def test_letter_refuses_tampered_bundle(
    site_server: Callable[[str], SiteServer], capture_run: Capture
) -> None:
    server = site_server("multipage")
    result = capture_run(PROFILE, server, None, what=("agreement",))
    root = Path(result.bundle or "")
    text = root / (result.pages[0].text or "")
    text.write_text(text.read_text(encoding="utf-8") + "篡改", encoding="utf-8")
    with pytest.raises(UsageError, match="tampered"):
        BundleView.load(root)


def test_letter_facts_file_rejects_unknown_keys(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("nmae: 张三\n", encoding="utf-8")
    with pytest.raises(UsageError, match="nmae"):
        load_facts(facts)
