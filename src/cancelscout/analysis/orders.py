"""Extract purchase records from order pages into structured data for the letters.

The browser side only reads table cells (``browser.page_signals.order_tables``); recognising the
columns and cleaning the values is plain Python, so it is unit-tested without a browser. Only
tables whose header names an order number or an amount are read: a page of goods is not an order
list.
"""

from __future__ import annotations

import re

from cancelscout.analysis.promises import is_membership_item
from cancelscout.result import Order
from cancelscout.textnorm import normalize

# Column header words, most specific first (matched against the normalised header cell).
COLUMNS: dict[str, tuple[str, ...]] = {
    "order_no": ("订单号", "订单编号", "交易号", "交易单号", "流水号", "单号", "order"),
    "payment_method": ("支付方式", "付款方式", "支付渠道", "付款渠道", "payment"),
    "amount": ("实付金额", "支付金额", "订单金额", "金额", "实付", "价格", "费用", "amount"),
    "date": ("下单时间", "支付时间", "开通时间", "购买时间", "日期", "时间", "date"),
    "item": ("商品名称", "商品", "名称", "项目", "会员类型", "套餐", "内容", "item"),
    "status": ("订单状态", "状态", "status"),
}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_AMOUNT = re.compile(r"(?:[¥￥]|RMB|CNY)?\s*\d[\d,]*(?:\.\d{1,2})?\s*(?:元)?", re.IGNORECASE)


def map_columns(header: list[str]) -> dict[str, int]:
    """Field → column index for a header row; each column used once."""
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for field, words in COLUMNS.items():
        for index, cell in enumerate(header):
            if index in used:
                continue
            folded = normalize(cell)
            if any(normalize(word) in folded for word in words):
                mapping[field] = index
                used.add(index)
                break
    return mapping


def normalize_date(value: str) -> str | None:
    match = _DATE.search(value)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def clean_amount(value: str) -> str | None:
    match = _AMOUNT.search(value)
    return match.group(0).strip() if match else None


def orders_from_tables(
    tables: list[list[list[str]]], page_url: str, membership_words: list[str] | None = None
) -> list[Order]:
    orders: list[Order] = []
    for rows in tables:
        header_at = next(
            (i for i, row in enumerate(rows) if {"order_no", "amount"} & set(map_columns(row))),
            None,
        )
        if header_at is None:
            continue
        columns = map_columns(rows[header_at])
        for row in rows[header_at + 1 :]:
            order = _order(row, columns, page_url, membership_words)
            if order is not None:
                orders.append(order)
    return orders


def _order(
    row: list[str], columns: dict[str, int], page_url: str, words: list[str] | None
) -> Order | None:
    def cell(field: str) -> str | None:
        index = columns.get(field)
        if index is None or index >= len(row):
            return None
        return row[index].strip() or None

    order_no, amount_text = cell("order_no"), cell("amount")
    if order_no is None and amount_text is None:
        return None  # a spacer or a sub-header row
    amount = clean_amount(amount_text) if amount_text else None
    date_text = cell("date")
    item = cell("item")
    return Order(
        order_no=order_no,
        date=normalize_date(date_text) if date_text else None,
        amount=amount,
        item=item,
        payment_method=cell("payment_method"),
        status=cell("status"),
        membership=bool(item) and is_membership_item(item or "", words),
        page_url=page_url,
    )
