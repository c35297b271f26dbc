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
    "order_no": (
        "订单号", "订单编号", "订单id", "交易号", "交易单号", "交易编号", "流水号", "单号",
        "order",
    ),
    "payment_method": ("支付方式", "付款方式", "支付渠道", "付款渠道", "payment"),
    "amount": (
        "实付金额", "支付金额", "订单金额", "金额", "实付", "价格", "费用", "amount", "total",
        "paid", "price",
    ),
    "date": (
        "下单时间", "支付时间", "开通时间", "购买时间", "日期", "时间", "date", "placed",
        "created",
    ),
    "item": (
        "商品名称", "商品", "名称", "项目", "会员类型", "套餐", "内容", "item", "product", "plan",
    ),
    "status": ("订单状态", "状态", "status"),
}  # fmt: skip
# "Order date", "Order total": a header naming another field after "order" is that field.
_NUMBER_WORDS = re.compile(r"(号|编号|id|no\b|no\.|number|#)", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
# English: "Nov 26, 2026", "26 Nov 2026", "November 26, 2026"; and "11/26/2026" (month first,
# as US shops write it, unless the first number cannot be a month).
_DATE_MDY = re.compile(r"\b([A-Za-z]{3,9})\.? (\d{1,2}), (\d{4})\b")
_DATE_DMY = re.compile(r"\b(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})\b")
_DATE_SLASH = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_AMOUNT = re.compile(
    r"(?:[¥￥$€£]|RMB|CNY|US\$|HK\$|NT\$)?\s*\d[\d,]*(?:\.\d{1,2})?\s*(?:元)?", re.IGNORECASE
)
# An amount written as one (a currency sign or 元), for lines without a label.
_MARKED_AMOUNT = re.compile(
    r"(?:[¥￥€£]|(?:US|HK|NT)?\$|RMB|CNY|USD|HKD|TWD)\s*\d[\d,]*(?:\.\d{1,2})?"
    r"|\d[\d,]*(?:\.\d{1,2})?\s*(?:元|USD|HKD|TWD)",
    re.IGNORECASE,
)
# The shape browser/records.py looks for (see _order_numbers).
_TOKEN = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{0,6}[-_]?[0-9][0-9A-Za-z_-]{7,39}(?![0-9A-Za-z])")
_PHONE = re.compile(r"1[3-9]\d{9}")
_HASH = re.compile(r"(?<![\w#])#\d{4,12}(?![0-9A-Za-z])")  # "Order #10023"
_STATUS = re.compile(
    r"(已支付|已付款|已完成|交易成功|待支付|待付款|已取消|已关闭|已退款|退款中|生效中|已过期|"
    r"已发货|待发货|处理中|paid|completed|pending|processing|shipped|cancell?ed|refunded|"
    r"active|expired)",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(r"^\s*([^:：]{1,12})[:：]\s*(.+)$")


def field_of(cell: str) -> str | None:
    """The field a header cell or a label names (None: none of ours)."""
    folded = normalize(cell)
    found = [f for f, words in COLUMNS.items() if any(normalize(w) in folded for w in words)]
    if len(found) > 1 and "order_no" in found and not _NUMBER_WORDS.search(folded):
        found.remove("order_no")  # "Order date", "订单金额"
    return found[0] if found else None


def map_columns(header: list[str]) -> dict[str, int]:
    """Field → column index for a header row; each field from its first column."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = field_of(cell)
        if field is not None and field not in mapping:
            mapping[field] = index
    return mapping


def normalize_date(value: str) -> str | None:
    """The first date in ``value`` as YYYY-MM-DD (numeric, Chinese or English forms)."""
    candidates: list[tuple[int, int, int, int]] = []  # (position, year, month, day)
    for match in _DATE.finditer(value):
        y, m, d = (int(g) for g in match.groups())
        candidates.append((match.start(), y, m, d))
    for match in _DATE_MDY.finditer(value):
        month = _MONTHS.get(match.group(1)[:3].lower())
        if month:
            candidates.append((match.start(), int(match.group(3)), month, int(match.group(2))))
    for match in _DATE_DMY.finditer(value):
        month = _MONTHS.get(match.group(2)[:3].lower())
        if month:
            candidates.append((match.start(), int(match.group(3)), month, int(match.group(1))))
    for match in _DATE_SLASH.finditer(value):
        first, second, year = (int(g) for g in match.groups())
        month, day = (second, first) if first > 12 else (first, second)
        candidates.append((match.start(), year, month, day))
    for _, year, month, day in sorted(candidates):
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


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
    if order_no is not None and not re.search(r"\d", order_no):
        order_no = None  # "暂无数据" in the only cell of an empty table
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
    characters or more unless a label says it is the order number. Else an English shop's
    "#10023"."""
    found = [
        t
        for t in _TOKEN.findall(text)
        if (labelled or len(t) >= 10)
        and sum(c.isdigit() for c in t) >= 6
        and not _DATE.search(t)
        and not _PHONE.fullmatch(t)
    ]
    return found or _HASH.findall(text)


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
            field = field_of(label)
            if field is not None:
                fields.setdefault(field, value.strip())
        text = "\n".join(lines)
        numbers = (
            _order_numbers(fields.get("order_no", ""), labelled=True)
            # the tokens the page holds in text nodes of their own: never glued to a label in
            # the next <span> ("订单ID" + "DD2026…" reads "订单IDDD2026…" as lines)
            or [str(n) for n in record.get("numbers", [])]
            or _order_numbers(text)
        )
        date_text = fields.get("date") or text
        date = normalize_date(date_text) or normalize_date(text)
        amount_field = fields.get("amount")
        amount = clean_amount(amount_field) if amount_field else None
        if amount is None:
            amount = _price_line(lines)
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


def _is_price(body: str, price: re.Match[str]) -> bool:
    """Is the line a price rather than a name with an amount in it?"""
    rest = (body[: price.start()] + body[price.end() :]).strip()
    return len(re.findall(r"[A-Za-z\u3400-\u9fff]", rest)) < 2


def _price_line(lines: list[str]) -> str | None:
    """The amount paid, among unlabelled lines: a line that is nothing but an amount first
    (an item may carry an amount in its name: "Steam充值卡 100元", "Gift card $50")."""
    for line in lines:
        found = _MARKED_AMOUNT.fullmatch(line.strip())
        if found:
            return found.group(0).strip()
    marked = _MARKED_AMOUNT.search("\n".join(lines))
    return marked.group(0).strip() if marked else None


def _item_line(lines: list[str], order_no: str) -> str | None:
    """The line that names what was bought: not the number, date, price or status line (an
    amount inside a name, "Steam充值卡 100元", leaves it a name)."""
    for line in lines:
        value = _LABEL_LINE.match(line)
        body = value.group(2) if value else line
        price = _MARKED_AMOUNT.search(body)
        if order_no in body or normalize_date(body) or (price and _is_price(body, price)):
            continue
        if body.rstrip().endswith((":", "：")):
            continue  # a label whose value is a picture ("支付方式：" + a logo)
        if _STATUS.fullmatch(body.strip()) or len(body) < 2 or len(body) > 60:
            continue
        if value and map_columns([value.group(1)]).keys() - {"item"}:
            continue  # a labelled line for another field (支付方式：…)
        if any(ch.isalpha() for ch in body):
            return body.strip()
    return None


def merge_orders(*groups: list[Order]) -> list[Order]:
    """Orders from several readings of one page, each order once (by number; earlier first).
    An order read without a number is dropped when a numbered one has its date and amount:
    one reading found the number where the other did not (inside a description cell)."""
    merged: list[Order] = []
    seen: set[str] = set()
    for group in groups:
        for order in group:
            key = order.order_no or f"{order.date}|{order.amount}|{order.item}"
            if key in seen:
                continue
            seen.add(key)
            merged.append(order)
    numbered = {(o.date, _amount_value(o.amount)) for o in merged if o.order_no}
    return [o for o in merged if o.order_no or (o.date, _amount_value(o.amount)) not in numbered]


def _amount_value(text: str | None) -> str | None:
    found = re.search(r"\d[\d,]*(?:\.\d+)?", text or "")
    return found.group(0).replace(",", "").rstrip("0").rstrip(".") if found else None
