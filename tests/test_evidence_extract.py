"""Reading evidence out of page text: orders, status facts, promises, page kinds (no browser)."""

from __future__ import annotations

import pytest

from cancelscout.analysis.kinds import infer_kind
from cancelscout.analysis.orders import (
    map_columns,
    merge_orders,
    normalize_date,
    orders_from_records,
    orders_from_tables,
)
from cancelscout.analysis.promises import find_promises, is_membership_item
from cancelscout.analysis.status import read_status
from cancelscout.errors import UsageError
from cancelscout.output.letters.render import markdown_to_html
from cancelscout.profiles.evidence import Evidence
from cancelscout.result import Order
from cancelscout.runs.capture import parse_what, url_profile

RECORDS = [
    ["订单编号", "开通时间", "会员类型", "实付金额", "支付方式", "状态"],
    ["VIP001", "2025-05-19 10:21", "黄金会员（包月）", "¥15.00", "支付宝", "已支付"],
    ["", "", "", "", "", ""],
    ["VIP002", "2025年10月19日", "QQ会员 月卡", "￥9.80元", "微信", "已完成"],
]


def test_orders_extracts_rows_under_the_header() -> None:
    orders = orders_from_tables([[["我的订单"], *RECORDS]], "https://shop.example.com/o")
    assert [(o.order_no, o.date, o.amount, o.payment_method) for o in orders] == [
        ("VIP001", "2025-05-19", "¥15.00", "支付宝"),
        ("VIP002", "2025-10-19", "￥9.80元", "微信"),
    ]
    assert [o.membership for o in orders] == [True, False]  # QQ会员 is someone else's goods
    assert all(o.page_url == "https://shop.example.com/o" for o in orders)


def test_orders_ignore_tables_without_order_columns() -> None:
    goods = [["商品", "库存"], ["王者荣耀点券", "充足"]]
    assert orders_from_tables([goods], "u") == []


def test_orders_profile_words_decide_membership() -> None:
    orders = orders_from_tables([RECORDS], "u", ["QQ会员"])
    assert [o.membership for o in orders] == [False, True]


def test_orders_column_mapping_uses_each_column_once() -> None:
    mapping = map_columns(["订单号", "下单时间", "商品名称", "订单金额", "付款方式", "订单状态"])
    assert mapping == {
        "order_no": 0,
        "date": 1,
        "item": 2,
        "amount": 3,
        "payment_method": 4,
        "status": 5,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-5-9", "2025-05-09"),
        ("2025/12/19 00:00", "2025-12-19"),
        ("2025年12月19日", "2025-12-19"),
        ("2025-13-01", None),
        ("昨天", None),
    ],
)
def test_orders_dates_normalised(raw: str, expected: str | None) -> None:
    assert normalize_date(raw) == expected


def test_status_reads_auto_renew_and_next_charge() -> None:
    text = "会员服务\n自动续费\n自动续费状态：已开启\n续费金额\n¥15.00 / 月\n下次扣费\n2025-12-19\n"
    facts = {f.name: (f.value, f.line) for f in read_status(text)}
    assert facts["auto_renew"] == ("on", "自动续费状态：已开启")
    assert facts["next_charge"] == ("2025-12-19", "下次扣费 2025-12-19")
    assert facts["renew_price"][0] == "¥15.00"


def test_status_off_and_no_false_reading_in_promo_text() -> None:
    assert read_status("自动续费：已关闭")[0].value == "off"
    assert read_status("开通自动续费，随时可取消。取消自动续费") == []


def test_promises_longest_phrase_wins_and_traditional_matches() -> None:
    hits = find_promises("開通永久會員，權益永不過期，全站9折！")
    assert [h.phrase for h in hits] == ["永久會員", "永不過期", "全站9折"]
    assert all(h.sentence == "開通永久會員，權益永不過期，全站9折！" for h in hits)


def test_membership_item_builtin_words() -> None:
    assert is_membership_item("黄金会员 自动续费")
    assert not is_membership_item("腾讯视频VIP 月卡")


def test_kinds_inferred_from_content() -> None:
    agreement = "会员服务协议\n" + "\n".join(f"{i}. 条款内容。" for i in range(1, 7))
    assert infer_kind(agreement, "会员服务协议", []) == "agreement"
    assert infer_kind("自动续费状态：已开启", "会员中心", []) == "status"
    assert infer_kind("永久会员，专属特权，全站9折", "开通会员", []) == "promo"
    assert infer_kind("欢迎光临", "首页", []) == "page"
    orders = orders_from_tables([RECORDS], "u")
    assert infer_kind("", "订单", orders) == "orders"


def test_evidence_pages_in_profile_order_for_the_kinds_asked() -> None:
    evidence = Evidence(promo=["/a"], agreement=["/b"], orders=["/c", "/c"], status=["/d"])
    assert evidence.pages(["orders", "promo"]) == [("promo", "/a"), ("orders", "/c")]


def test_what_parsing() -> None:
    assert parse_what("all") == ("promo", "agreement", "orders", "status")
    assert parse_what("orders,promo") == ("orders", "promo")
    with pytest.raises(UsageError, match="unknown kind"):
        parse_what("promo,contract")


def test_url_profile_is_one_host_only() -> None:
    profile = url_profile(["https://vip.example.com/a", "https://vip.example.com/b"])
    assert profile.id == "vip.example.com" and profile.allowed_domains == ["vip.example.com"]
    with pytest.raises(UsageError, match="several hosts"):
        url_profile(["https://a.example.com/", "https://b.example.com/"])
    with pytest.raises(UsageError, match="absolute"):
        url_profile(["/vip.html"])


def test_letter_markdown_to_html_escapes_and_marks_placeholders() -> None:
    html = markdown_to_html(
        "# 标题\n\n1. 事实 <b>x</b> 【待填写：姓名】\n   - 子项\n\n"
        "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    )
    assert "<h1>标题</h1>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert '<span class="placeholder">【待填写：姓名】</span>' in html
    assert "<li>子项</li>" in html
    assert "<th>a</th>" in html and "<td>2</td>" in html


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026年11月26日 10:21", "2026-11-26"),
        ("Nov 26, 2026", "2026-11-26"),
        ("26 Nov 2026 12:03", "2026-11-26"),
        ("November 26, 2026 12:03 PM", "2026-11-26"),
        ("11/26/2026", "2026-11-26"),  # a US shop: month first
        ("26/11/2026", "2026-11-26"),  # the first number cannot be a month
    ],
)
def test_orders_normalize_date_reads_numeric_chinese_and_english_dates(
    text: str, date: str
) -> None:
    assert normalize_date(text) == date


def test_orders_header_naming_another_field_after_order_is_that_field() -> None:
    header = ["Order date", "Order total", "Order #", "Product", "Status"]
    assert map_columns(header) == {
        "date": 0, "amount": 1, "order_no": 2, "item": 3, "status": 4
    }  # fmt: skip


def test_orders_empty_table_row_is_not_an_order() -> None:
    """bootstrap-table's one wide cell under the header: an icon's name and 暂无数据."""
    tables = [[["订单号", "商品", "金额", "下单时间"], ["inbox 暂无数据"]]]
    assert orders_from_tables(tables, "http://shop.test/orders") == []


def test_orders_merge_drops_an_unnumbered_reading_of_a_numbered_order() -> None:
    """The table reader saw no number (it sits in a description cell); the record reader did."""
    numbered = Order(order_no="991261201233421935", date="2026-12-01", amount="¥19.90")
    unnumbered = Order(date="2026-12-01", amount="¥19.9")
    other = Order(date="2026-11-30", amount="¥9.90")
    assert merge_orders([unnumbered, other], [numbered]) == [other, numbered]


def test_orders_item_is_never_a_label_without_its_value() -> None:
    records = [{"lines": ["订单号：DD2026112612345678", "支付方式：", "月卡会员（30天）", "¥9.90"]}]
    (order,) = orders_from_records(records, "http://shop.test/q")
    assert order.item == "月卡会员（30天）"
