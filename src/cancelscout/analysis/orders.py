"""Extract purchase records from order pages into structured data for the letters.

Two readings of a page, merged: tables whose header names an order number or an amount (a page
of goods is not an order list; ``browser.page_signals.order_tables``), and records in any layout
— rows, cards, ``<dl>`` groups, mobile list items — each the smallest element holding one
order-number-like token with a date or an amount (``browser.records.page_records``: its lines
and its label/value pairs). Which token is which field is decided here, in plain Python, so it
is unit-tested without a browser.
"""

from __future__ import annotations

import re
from typing import Any

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
# An amount written as one (a currency sign or 元), for lines without a label.
_MARKED_AMOUNT = re.compile(
    r"(?:[¥￥$]|RMB|CNY|USD)\s*\d[\d,]*(?:\.\d{1,2})?|\d[\d,]*(?:\.\d{1,2})?\s*元", re.IGNORECASE
)
# The shape browser/records.py looks for (see _order_numbers).
_TOKEN = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{0,6}[-_]?[0-9][0-9A-Za-z_-]{7,39}(?![0-9A-Za-z])")
_PHONE = re.compile(r"1[3-9]\d{9}")
_STATUS = re.compile(
    r"(已支付|已付款|已完成|交易成功|待支付|待付款|已取消|已关闭|已退款|退款中|生效中|已过期|"
    r"paid|completed|pending|cancell?ed|refunded|active|expired)",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(r"^\s*([^:：]{1,12})[:：]\s*(.+)$")


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


def _order_numbers(text: str, *, labelled: bool = False) -> list[str]:
    """Order-number-like tokens: six digits or more, not a date or a mobile number; ten
    characters or more unless a label says it is the order number."""
    return [
        t
        for t in _TOKEN.findall(text)
        if (labelled or len(t) >= 10)
        and sum(c.isdigit() for c in t) >= 6
        and not _DATE.search(t)
        and not _PHONE.fullmatch(t)
    ]


def orders_from_records(
    records: list[dict[str, list[Any]]], page_url: str, membership_words: list[str] | None = None
) -> list[Order]:
    """Orders from records in any layout (see module doc); a record without an order number
    and a date or an amount is not an order."""
    orders: list[Order] = []
    for record in records:
        lines = [str(line) for line in record.get("lines", [])]
        pairs = [(str(k), str(v)) for k, v in record.get("pairs", [])]
        for line in lines:  # "订单号：DD2026…" lines are pairs too
            labelled = _LABEL_LINE.match(line)
            if labelled:
                pairs.append((labelled.group(1), labelled.group(2)))
        fields: dict[str, str] = {}
        for label, value in pairs:
            for field in map_columns([label]):
                fields.setdefault(field, value.strip())
        text = "\n".join(lines)
        numbers = _order_numbers(fields.get("order_no", ""), labelled=True) or _order_numbers(text)
        date_text = fields.get("date") or text
        date = normalize_date(date_text) or normalize_date(text)
        amount_field = fields.get("amount")
        amount = clean_amount(amount_field) if amount_field else None
        if amount is None:
            marked = _MARKED_AMOUNT.search(text)
            amount = marked.group(0).strip() if marked else None
        if not numbers or (date is None and amount is None):
            continue
        item = fields.get("item") or _item_line(lines, numbers[0])
        status = fields.get("status")
        if status is None:
            found = _STATUS.search(text)
            status = found.group(0) if found else None
        orders.append(
            Order(
                order_no=numbers[0],
                date=date,
                amount=amount,
                item=item,
                payment_method=fields.get("payment_method"),
                status=status,
                membership=bool(item) and is_membership_item(item or "", membership_words),
                page_url=page_url,
            )
        )
    return orders


def _item_line(lines: list[str], order_no: str) -> str | None:
    """The line that names what was bought: not the number, date, amount or status line."""
    for line in lines:
        value = _LABEL_LINE.match(line)
        body = value.group(2) if value else line
        if order_no in body or _DATE.search(body) or _MARKED_AMOUNT.search(body):
            continue
        if _STATUS.fullmatch(body.strip()) or len(body) < 2 or len(body) > 60:
            continue
        if value and map_columns([value.group(1)]).keys() - {"item"}:
            continue  # a labelled line for another field (支付方式：…)
        if any(ch.isalpha() for ch in body):
            return body.strip()
    return None


def merge_orders(*groups: list[Order]) -> list[Order]:
    """Orders from several readings of one page, each order once (by number; earlier first)."""
    merged: list[Order] = []
    seen: set[str] = set()
    for group in groups:
        for order in group:
            key = order.order_no or f"{order.date}|{order.amount}|{order.item}"
            if key in seen:
                continue
            seen.add(key)
            merged.append(order)
    return merged
