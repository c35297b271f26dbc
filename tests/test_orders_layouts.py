"""Orders in any layout, late content, and pages captured empty or loading
(tests/sites/orderlayouts: the same three orders as a table, cards, <dl>s, a mobile list, cards
drawn after a late API answer, and a hash-routed app)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest

from cancelscout.analysis.orders import merge_orders, orders_from_records
from cancelscout.demo.server import SiteServer
from cancelscout.result import CaptureResult, Order
from capture_support import Capture, capture_run_fixture  # noqa: F401

TRUTH = {
    ("DD2026112612345678", "2026-11-26", Decimal("88")),
    ("DD2026102100012345", "2026-10-21", Decimal("30")),
    ("SH20260901888", "2026-09-01", Decimal("9.9")),
}
ITEMS = {"DD2026112612345678": "永久会员", "SH20260901888": "QQ空间说说赞 1000"}


def _amount(text: str | None) -> Decimal | None:
    found = re.search(r"\d[\d,]*(?:\.\d+)?", text or "")
    return Decimal(found.group(0).replace(",", "")) if found else None


def _facts(orders: list[Order]) -> set[tuple[str | None, str | None, Decimal | None]]:
    return {(o.order_no, o.date, _amount(o.amount)) for o in orders}


@pytest.fixture
def shop(site_server: Callable[[str], SiteServer]) -> SiteServer:
    return site_server("orderlayouts")


def _capture(capture_run: Capture, shop: SiteServer, *paths: str) -> CaptureResult:
    return capture_run(None, shop, None, urls=[shop.url + p for p in paths])


@pytest.mark.parametrize(
    "path",
    [
        "/orders-table.html",
        "/orders-cards.html",
        "/orders-dl.html",
        "/orders-mobile.html",
        "/orders-api.html",  # drawn after the API answers 0.8 s late
        "/orders-shadow.html",  # in a web component's shadow root, fetched late
        "/orders-frame.html",  # the table, inside an iframe
        "/orders-grid.html",  # a grid of divs under a header row, amounts without a sign
        "/orders-split-cards.html",  # number and date in a card's header line, the rest below
        "/app.html#/orders",  # a hash-routed app fetching its route
    ],
)
def test_orders_every_layout_gives_every_number_date_and_amount(
    capture_run: Capture, shop: SiteServer, path: str
) -> None:
    result = _capture(capture_run, shop, path)
    assert result.status == "captured", result.error
    page = result.pages[0]
    assert page.kind == "orders" and page.warning is None
    assert _facts(result.orders) == TRUTH
    items = {o.order_no: o.item for o in result.orders}
    for number, item in ITEMS.items():
        assert item in (items[number] or ""), (number, items[number])
    assert next(o for o in result.orders if o.order_no == "DD2026112612345678").membership


def test_orders_a_product_list_holds_no_orders(capture_run: Capture, shop: SiteServer) -> None:
    result = _capture(capture_run, shop, "/goods.html")
    assert result.orders == [] and result.pages[0].kind != "orders"


def test_capture_waits_for_a_hash_routed_agreement_and_flags_it(
    capture_run: Capture, shop: SiteServer
) -> None:
    # First the orders route, then the agreement route of the same document: its content
    # comes from an API call answered late, after the hash changed.
    result = _capture(capture_run, shop, "/app.html#/orders", "/app.html#/agreement")
    agreement = result.pages[1]
    assert agreement.kind == "agreement" and agreement.warning is None
    flagged = {(c.rule, c.text[:2]) for c in result.clauses}
    assert flagged == {("no-refund", "2."), ("final-interpretation", "3.")}


def test_capture_says_when_a_page_was_still_loading(capture_run: Capture, shop: SiteServer) -> None:
    result = _capture(capture_run, shop, "/stuck.html")
    page = result.pages[0]
    assert page.warning == "the page still showed a loading indicator when it was captured"


def test_orders_from_records_reads_labels_and_skips_phones_and_counts() -> None:
    records = [
        {"lines": ["订单号：DD2026112612345678", "已支付", "永久会员", "实付 ¥88", "2026-11-26"],
         "pairs": []},
        {"lines": ["联系电话 13912345678", "2026-11-01", "¥5"], "pairs": []},  # no order number
        {"lines": ["热销 12345678", "¥30.00"], "pairs": []},  # a sales count is not one
        {"lines": ["A-20261126-0001", "月度会员"],
         "pairs": [["金额", "30 元"], ["日期", "2026/10/21"]]},
    ]  # fmt: skip
    orders = orders_from_records(records, "http://shop/orders")
    assert [(o.order_no, o.date, o.amount, o.item, o.status) for o in orders] == [
        ("DD2026112612345678", "2026-11-26", "¥88", "永久会员", "已支付"),
        ("A-20261126-0001", "2026-10-21", "30 元", "月度会员", None),
    ]
    assert merge_orders(orders, orders[:1]) == orders


def test_orders_item_with_an_amount_in_its_name_keeps_the_paid_price(
    capture_run: Capture, shop: SiteServer
) -> None:
    """ "Steam充值卡 100元" is what was bought; ¥30.00, on a line of its own, what was paid."""
    result = _capture(capture_run, shop, "/orders-split-cards.html")
    order = next(o for o in result.orders if o.order_no == "DD2026102100012345")
    assert (order.item, order.amount) == ("Steam充值卡 100元", "¥30.00")


def test_orders_page_whose_list_needs_a_post_says_what_was_held_back(
    capture_run: Capture, shop: SiteServer
) -> None:
    """The read-only network refuses the POST that would fill the list: the page shows 暂无数据,
    and its capture says why instead of passing for a page without orders."""
    result = _capture(capture_run, shop, "/orders-post.html")
    assert result.orders == []
    assert result.pages[0].warning == (
        "the read-only network held back 1 request(s) of this page (POST /api/orders.json): "
        "what they would have loaded is missing; a profile's allow_requests can let "
        "read-only ones through"
    )
