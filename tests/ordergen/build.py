"""Compose one orders page from its seed and write it as a static file a SiteServer serves."""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

LAYOUTS = ["table", "table_bare", "cards", "dl", "mobile", "div_grid", "label_lines"]
LANGS = ["zh-Hans", "zh-Hans", "zh-Hant", "en"]
LABELS = {
    "zh-Hans": {
        "no": ["订单号", "订单编号", "单号", "交易单号", "订单ID"],
        "date": ["下单时间", "创建时间", "购买时间", "日期", "支付时间"],
        "amount": ["金额", "实付金额", "订单金额", "支付金额", "实付款"],
        "item": ["商品", "商品名称", "商品信息", "购买商品"],
        "status": ["状态", "订单状态"],
        "qty": ["数量", "购买数量"],
        "action": ["操作"],
    },
    "zh-Hant": {
        "no": ["訂單號", "訂單編號", "單號", "交易編號"],
        "date": ["下單時間", "建立時間", "購買日期", "日期"],
        "amount": ["金額", "實付金額", "訂單金額"],
        "item": ["商品", "商品名稱", "購買項目"],
        "status": ["狀態", "訂單狀態"],
        "qty": ["數量"],
        "action": ["操作"],
    },
    "en": {
        "no": ["Order No.", "Order #", "Order ID", "Order number"],
        "date": ["Date", "Order date", "Placed on", "Created"],
        "amount": ["Total", "Amount", "Paid", "Order total"],
        "item": ["Item", "Product", "Plan"],
        "status": ["Status"],
        "qty": ["Qty", "Quantity"],
        "action": ["Actions"],
    },
}
ITEMS = {
    "zh-Hans": [
        "永久会员",
        "年度VIP会员",
        "QQ空间说说赞 1000",
        "抖音播放量 10000",
        "王者荣耀点券 60",
        "Steam充值卡 100元",
        "爱奇艺黄金会员月卡",
        "网盘超级会员 季卡",
        "代刷网分站 永久",
        "快手双击 500",
        "发卡网高级商户",
        "视频会员连续包月",
    ],
    "zh-Hant": [
        "永久會員",
        "年度VIP會員",
        "遊戲點數 300點",
        "影音會員月卡",
        "雲端硬碟 進階方案",
        "儲值卡 500元",
        "終身會員",
        "網盤超級會員 季卡",
    ],
    "en": [
        "Lifetime membership",
        "Premium plan (monthly)",
        "VPN Pro annual plan",
        "Cloud storage 2 TB",
        "Gift card $50",
        "Pro subscription - yearly",
        "Game coins x 600",
    ],
}
STATUS = {
    "zh-Hans": ["已完成", "已支付", "已发货", "待发货", "已退款"],
    "zh-Hant": ["已完成", "已付款", "處理中"],
    "en": ["Completed", "Paid", "Processing", "Refunded"],
}
ACTIONS = {
    "zh-Hans": ["查看详情", "再次购买", "申请售后"],
    "zh-Hant": ["查看詳情", "再次購買"],
    "en": ["View", "Buy again", "Invoice"],
}
CHROME = {
    "zh-Hans": (
        "我的订单",
        ["首页", "商品分类", "用户中心", "余额充值", "退出登录"],
        "猜你喜欢",
        "立即购买",
        "共 {n} 笔订单，合计 {total}",
        "账户余额：{balance}",
        "最近登录：{login} IP 112.64.3.9",
        "上一页 1 2 3 下一页",
        "客服QQ：800812345",
    ),
    "zh-Hant": (
        "我的訂單",
        ["首頁", "商品分類", "會員中心", "儲值", "登出"],
        "推薦商品",
        "立即購買",
        "共 {n} 筆訂單，合計 {total}",
        "帳戶餘額：{balance}",
        "上次登入：{login}",
        "上一頁 1 2 下一頁",
        "客服信箱：help@shop.example",
    ),
    "en": (
        "My orders",
        ["Home", "Shop", "Account", "Top up", "Sign out"],
        "You may also like",
        "Buy now",
        "{n} orders, total {total}",
        "Balance: {balance}",
        "Last sign-in: {login}",
        "« Prev 1 2 Next »",
        "Support: help@shop.example",
    ),
}
CSS = """body{font-family:'Noto Sans CJK SC',sans-serif;margin:0;color:#333}
header,footer{padding:10px 24px;background:#234;color:#fff}header a{color:#fff;margin-right:16px}
main{display:flex;gap:24px;padding:24px}aside a{display:block;padding:4px 0}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:6px 10px}
.card{border:1px solid #ddd;margin:0 0 12px;padding:12px}.g{display:inline-block;width:150px}
.tr{display:flex}.td{flex:1;padding:6px;border-bottom:1px solid #eee}.k{color:#999}
"""


@dataclass(frozen=True)
class TrueOrder:
    order_no: str
    date: str  # YYYY-MM-DD
    amount: Decimal
    item: str


def _order_no(rng: random.Random, lang: str, when: datetime) -> str:
    style = rng.choice(
        ["letters", "digits", "digits", "dashed"] + (["hash"] if lang == "en" else [])
    )
    if style == "letters":
        prefix = rng.choice(["DD", "KM", "FK", "SH", "VIP", "T", "NO"])
        return prefix + when.strftime("%Y%m%d") + str(rng.randrange(10**3, 10**8))
    if style == "digits":
        return when.strftime("%Y%m%d%H%M%S") + str(rng.randrange(10**3, 10**6))
    if style == "dashed":
        return f"{when:%Y%m%d}-{rng.randrange(10**5, 10**6)}"
    return "#" + str(rng.randrange(1000, 99999))


def _date(rng: random.Random, lang: str, when: datetime) -> str:
    zh = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y年%m月%d日 %H:%M",
        "%Y-%m-%d",
        "%Y.%m.%d %H:%M",
    ]
    en = ["%Y-%m-%d %H:%M", "%b %d, %Y", "%d %b %Y", "%B %d, %Y %I:%M %p"]
    if lang == "en" and when.day > 12:
        en.append("%m/%d/%Y")  # US order, unambiguous only when the day is over 12
    return when.strftime(rng.choice(en if lang == "en" else zh))


def _money(rng: random.Random, lang: str, value: Decimal, bare: bool) -> str:
    text = f"{value:,.2f}" if rng.random() < 0.7 else f"{value.normalize():f}"
    if bare:
        return text
    forms = {
        "zh-Hans": ["¥{v}", "￥{v}", "{v}元", "{v} 元", "¥ {v}", "RMB {v}"],
        "zh-Hant": ["NT${v}", "HK$ {v}", "${v}", "{v} 元"],
        "en": ["${v}", "US${v}", "€{v}", "{v} USD"],
    }
    return rng.choice(forms[lang]).format(v=text)


def _cell(kind: str, order: dict[str, str]) -> str:
    value = html.escape(order[kind])
    if kind == "action":
        return " ".join(f'<a href="#">{html.escape(a)}</a>' for a in order["action"].split("|"))
    if kind == "status":
        return f'<span class="badge">{value}</span>'
    return value


def _render(rng: random.Random, layout: str, lang: str, rows: list[dict[str, str]]) -> str:
    labels = {kind: rng.choice(names) for kind, names in LABELS[lang].items()}
    kinds = ["no", "date", "item", "amount"]
    rng.shuffle(kinds)
    kinds += [k for k in ("qty", "status", "action") if rng.random() < 0.6]
    if layout in ("table", "table_bare"):
        head = "".join(f"<th>{html.escape(labels[k])}</th>" for k in kinds)
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell(k, r)}</td>" for k in kinds) + "</tr>" for r in rows
        )
        thead = f"<thead><tr>{head}</tr></thead>" if layout == "table" else ""
        return f"<table>{thead}<tbody>{body}</tbody></table>"
    if layout == "div_grid":
        head = "".join(f'<div class="td k">{html.escape(labels[k])}</div>' for k in kinds)
        body = "".join(
            '<div class="tr">'
            + "".join(f'<div class="td">{_cell(k, r)}</div>' for k in kinds)
            + "</div>"
            for r in rows
        )
        return f'<div class="grid"><div class="tr">{head}</div>{body}</div>'
    parts = []
    for r in rows:
        if layout == "cards":
            top = (
                f"<span>{html.escape(labels['no'])}：{_cell('no', r)}</span> "
                f"<span>{_cell('date', r)}</span>"
            )
            mid = f'<p class="name">{_cell("item", r)}</p><p class="price">{_cell("amount", r)}</p>'
            extra = "".join(f"<p>{_cell(k, r)}</p>" for k in kinds[4:])
            parts.append(f'<div class="card"><div class="hd">{top}</div>{mid}{extra}</div>')
        elif layout == "dl":
            pairs = "".join(
                f"<dt>{html.escape(labels[k])}</dt><dd>{_cell(k, r)}</dd>" for k in kinds
            )
            parts.append(f'<dl class="card">{pairs}</dl>')
        elif layout == "mobile":
            pairs = "".join(
                f'<div class="row"><span class="k">{html.escape(labels[k])}</span>'
                f'<span class="v">{_cell(k, r)}</span></div>'
                for k in kinds
            )
            parts.append(f'<li class="card">{pairs}</li>')
        else:  # label_lines
            lines = "<br>".join(f"{html.escape(labels[k])}：{_cell(k, r)}" for k in kinds)
            parts.append(f'<div class="card">{lines}</div>')
    return f"<ul>{''.join(parts)}</ul>" if layout == "mobile" else "".join(parts)


def describe(seed: int) -> str:
    """The language and layout a seed draws (its first two choices in ``build``)."""
    rng = random.Random(seed)
    lang = rng.choice(LANGS)
    return f"{lang} {rng.choice(LAYOUTS)}"


def build(
    seed: int, folder: Path, delays: dict[str, float] | None = None
) -> tuple[str, list[TrueOrder]]:
    """Write ``folder/orders-<seed>.html`` (and its API answer, whose delay goes into
    ``delays``: a SiteServer's site.json "faults"); return its path part and the orders on it."""
    delays = {} if delays is None else delays
    rng = random.Random(seed)
    lang, layout = rng.choice(LANGS), rng.choice(LAYOUTS)
    now = datetime(2026, 11, 30, 21, 0)
    truth: list[TrueOrder] = []
    rows: list[dict[str, str]] = []
    bare_amounts = layout in ("table", "div_grid") and rng.random() < 0.3
    for _ in range(rng.randint(1, 7)):
        when = now - timedelta(minutes=rng.randrange(60, 400 * 24 * 60))
        value = Decimal(rng.choice(["9.9", "30", "88", "128", "1288", "19.99", "4.5", "300"]))
        item = rng.choice(ITEMS[lang])
        number = _order_no(rng, lang, when)
        truth.append(TrueOrder(number, when.strftime("%Y-%m-%d"), value, item))
        rows.append(
            {
                "no": number,
                "date": _date(rng, lang, when),
                "amount": _money(rng, lang, value, bare_amounts),
                "item": item,
                "qty": str(rng.randint(1, 3) if rng.random() < 0.3 else 1),
                "status": rng.choice(STATUS[lang]),
                "action": "|".join(rng.sample(ACTIONS[lang], 2)),
            }
        )
    title, menu, rec, buy, summary, balance, login, pager, support = CHROME[lang]
    total = _money(rng, lang, sum((o.amount for o in truth), Decimal(0)), False)
    goods = "".join(
        f'<div class="g card"><p>{html.escape(name)}</p><p>'
        f"{_money(rng, lang, Decimal(rng.choice(['9.9', '19.9', '88'])), False)}</p>"
        f'<a href="#">{buy}</a></div>'
        for name in rng.sample(ITEMS[lang], 3)
    )
    orders = _render(rng, layout, lang, rows)
    late = rng.random() < 0.3
    if late:  # fetched from the shop's API, answered late (site.json), drawn by a script
        api = f"/api/orders-{seed}.json"
        (folder / api.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (folder / api.lstrip("/")).write_text(json.dumps({"html": orders}), encoding="utf-8")
        delays[api] = rng.choice([0.3, 0.7, 1.2])
        body = (
            f'<div id="orders">…</div><script>fetch("{api}").then(r => r.json()).then(d => '
            f"{{document.getElementById('orders').innerHTML = d.html;}});</script>"
        )
    else:
        body = f'<div id="orders">{orders}</div>'
    page = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title}</title><style>{CSS}</style></head><body>
<header>{"".join(f'<a href="#">{m}</a>' for m in menu)}</header>
<main><aside><a href="#">{title}</a><a href="#">{menu[3]}</a></aside>
<section><h2>{title}</h2><p>{balance.format(balance=_money(rng, lang, Decimal("12.5"), False))}</p>
<p>{login.format(login=now.strftime("%Y-%m-%d %H:%M"))}</p>
{body}<p>{summary.format(n=len(truth), total=total)}</p><p>{pager}</p></section>
<section><h3>{rec}</h3>{goods}</section></main><footer>{support} © 2026</footer></body></html>"""
    name = f"orders-{seed}.html"
    (folder / name).write_text(page, encoding="utf-8")
    return "/" + name, truth
