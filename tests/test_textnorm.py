from __future__ import annotations

import re

from cancelscout.textnorm import contains_any, normalize, variant_pattern


def test_textnorm_normalize_folds_script_width_and_case() -> None:
    assert normalize("  關閉自動續費：已開啟 ") == normalize("关闭自动续费:已开启")
    assert normalize("Cancel  Membership") == "cancel membership"


def test_textnorm_variant_pattern_matches_both_scripts() -> None:
    pattern = re.compile(variant_pattern("关闭自动续费"))
    assert pattern.search("请点击關閉自動續費")
    assert pattern.search("关闭自动续费")
    assert not pattern.search("开启自动续费")


def test_textnorm_variant_pattern_matches_taiwan_forms() -> None:
    assert re.search(variant_pattern("自动续费已开启"), "自動續費已開啟")


def test_textnorm_variant_pattern_width_and_spaces() -> None:
    assert re.search(variant_pattern("状态: 开启"), "状态：\n 开启")


def test_textnorm_exact_pattern_anchors() -> None:
    pattern = re.compile(variant_pattern("会员中心", exact=True))
    assert pattern.search(" 會員中心 ")
    assert not pattern.search("返回会员中心")


def test_textnorm_contains_any() -> None:
    assert contains_any("立即續費", ["购买", "立即续费"]) == "立即续费"
    assert contains_any("会员中心", ["购买"]) is None
