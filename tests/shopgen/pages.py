"""The pages of a generated shop: catalogue, account area, membership block, decoy pages."""

from __future__ import annotations

import json

from tests.shopgen.build import USER, _Builder, _e

DANGER = "fetch('/api/danger/{}',{{method:'POST'}})"


def membership_block(b: _Builder) -> tuple[str, str]:
    """The membership content and the accessible name of its entry ('' when there is none)."""
    w, kind = b.w, b.s.entry
    level = f'<div class="card"><h3>{_e(w["benefits"])}</h3><p>{_e(w["level"])}</p>'
    level += "<p>2026-12-31</p>"
    if "promo" in b.s.decoys:
        level += f'<a href="/api/danger/renew">{_e(w["promo"])}</a>'
    level += "</div>"
    if kind == "button":
        renew = (
            f'<div class="card"><h3>{_e(w["renew_heading"])}</h3><p>{_e(w["renew_on"])}</p>'
            f'<button type="button" onclick="{DANGER.format("cancel-renew")}">'
            f"{_e(w['entry'])}</button></div>"
        )
        return level + renew, w["entry"]
    if kind == "card_manage":
        renew = (
            f'<section class="card"><h3>{_e(w["renew_heading"])}</h3><p>{_e(w["renew_on"])}</p>'
            '<button type="button" aria-expanded="false" onclick="this.nextElementSibling'
            ".hidden=false;this.setAttribute('aria-expanded','true')\">"
            f'{_e(w["manage"])}</button><div hidden><p>…</p><button type="button" '
            f'onclick="{DANGER.format("cancel-renew")}">{_e(w["turn_off"])}</button></div>'
            "</section>"
        )
        return level + renew, w["turn_off"]
    if kind == "row":
        renew = (
            f'<div class="card"><div class="row"><span>{_e(w["level"])}</span></div>'
            f'<div class="row"><span>{_e(w["renew_heading"])}：{_e(w["renew_on"])}</span>'
            f'<a href="/api/danger/cancel-renew">{_e(w["turn_off"])}</a></div></div>'
        )
        return level + renew, w["turn_off"]
    if kind == "switch":
        renew = (
            f'<div class="card"><div class="row"><span id="rl">{_e(w["renew_heading"])}</span>'
            '<button type="button" role="switch" aria-checked="true" aria-labelledby="rl" '
            f'onclick="{DANGER.format("cancel-renew")}"></button></div></div>'
        )
        return level + renew, w["renew_heading"]
    return level, ""


def rendered(b: _Builder, block: str) -> tuple[str, dict[str, str]]:
    """``block`` as the page delivers it (inline, late, in a shadow root, fetched); extra files."""
    late = b.s.late
    if late == "none":
        return block, {}
    if late == "delay":
        delay = b.rng.randint(300, 1500)
        return (
            f'<div id="app">…</div><script>setTimeout(function(){{document.getElementById('
            f"'app').innerHTML={json.dumps(block)}}},{delay})</script>",
            {},
        )
    if late == "shadow":
        return (
            "<vip-panel></vip-panel><script>setTimeout(function(){customElements.define("
            "'vip-panel',class extends HTMLElement{connectedCallback(){this.attachShadow("
            f"{{mode:'open'}}).innerHTML={json.dumps(block)}}}}})}},200)</script>",
            {},
        )
    return (
        '<div id="app">…</div><script>fetch("/user/vip.json").then(function(r){return r.json()})'
        '.then(function(d){setTimeout(function(){document.getElementById("app").innerHTML='
        "d.html},300)})</script>",
        {"user/vip.json": json.dumps({"html": block})},
    )


def sidebar(b: _Builder) -> str:
    w = b.w
    links = [("/user/index.html", w["account_home"])]
    if b.s.nav == "sidebar":
        links.append(("/user/vip.html", w["membership"]))
    links += [
        ("/user/orders.html", w["orders"]),
        ("/user/balance.html", w["balance"]),
        ("/user/security.html", w["security"]),
        ("/user/messages.html", w["messages"]),
        ("/api/danger/logout", w["logout"]),
    ]
    middle = links[1:-1]
    b.rng.shuffle(middle)
    links = [links[0], *middle, links[-1]]
    items = "".join(f'<a href="{h}">{_e(t)}</a>' for h, t in links)
    return f"<aside><nav>{items}</nav></aside>"


def account_pages(b: _Builder) -> tuple[dict[str, str], str]:
    """Every page of the account area, and the entry's accessible name."""
    w = b.w
    block, entry = membership_block(b)
    shown, extra = rendered(b, block)
    files: dict[str, str] = dict(extra)
    side = sidebar(b)

    def account(title: str, content: str) -> str:
        return b.page(title, f"<main>{side}<div><h2>{_e(title)}</h2>{content}</div></main>")

    overview = f'<div class="card"><p>{USER} · ID 100233</p></div>'
    if b.s.nav == "tabs":
        overview = (
            '<div role="tablist">'
            '<button role="tab" aria-selected="true" type="button">'
            f"{_e(w['account_home'])}</button>"
            f'<button role="tab" aria-selected="false" type="button" onclick="document.'
            "getElementById('p2').hidden=false;document.getElementById('p1').hidden=true;"
            f"this.setAttribute('aria-selected','true')\">{_e(w['membership'])}</button></div>"
            f'<div role="tabpanel" id="p1">{overview}</div><div role="tabpanel" id="p2" hidden>'
            f"{shown}</div>"
        )
    elif b.s.nav == "card":
        overview += (
            f'<div class="card"><h3>{_e(w["benefits"])}</h3><p>{_e(w["level"])}</p>'
            f'<a href="/user/vip.html">{_e(w["manage"])}</a></div>'
        )
    files["user/index.html"] = account(w["account_home"], overview)
    files["user/vip.html"] = account(w["membership"], shown)
    rows = "".join(
        f"<tr><td>NO2026{n:04d}</td><td>{_e(w['product'])}</td><td>¥9.9</td>"
        f'<td><a href="/api/danger/cancel-order">{_e(w["cancel_order"])}</a></td></tr>'
        if "cancel_order" in b.s.decoys
        else f"<tr><td>NO2026{n:04d}</td><td>{_e(w['product'])}</td><td>¥9.9</td></tr>"
        for n in range(4)
    )
    files["user/orders.html"] = account(w["orders"], f"<table>{rows}</table>")
    files["user/balance.html"] = account(w["balance"], "<p>¥0.00</p>")
    files["user/messages.html"] = account(w["messages"], "<p>—</p>")
    deletion = ""
    if b.s.entry == "none" or b.rng.random() < 0.4:
        deletion = (
            f'<section class="card"><h3>{_e(w["delete_heading"])}</h3><button type="button" '
            f'onclick="{DANGER.format("delete-account")}">{_e(w["delete_control"])}</button>'
            "</section>"
        )
    files["user/security.html"] = account(
        w["security"], f'<div class="card"><p>******</p></div>{deletion}'
    )
    return files, entry


def shop_pages(b: _Builder) -> dict[str, str]:
    """Home, a paged catalogue and product pages that link to each other, help and decoys."""
    w, n = b.w, b.s.goods
    files: dict[str, str] = {}
    name = [f"{w['product']} {k + 1}" for k in range(n)]
    grid = "".join(
        f'<a class="goods" href="/goods/{k}.html">{_e(name[k])}</a>' for k in range(min(n, 12))
    )
    files["index.html"] = b.page(w["home"], f"<main><div>{grid}</div></main>", home=True)
    pages = (n + 9) // 10
    for p in range(pages):
        items = "".join(
            f'<a class="goods" href="/goods/{k}.html">{_e(name[k])}</a>'
            for k in range(p * 10, min(n, p * 10 + 10))
        )
        nav = f'<a href="/catalogue-{(p + 1) % pages + 1}.html">»</a>'
        files[f"catalogue-{p + 1}.html"] = b.page(
            w["catalogue"], f"<main><div>{items}<p>{nav}</p></div></main>"
        )
    for k in range(n):
        related = "".join(
            f'<a href="/goods/{(k + d) % n}.html">{_e(name[(k + d) % n])}</a> ' for d in (1, 2, 5)
        )
        files[f"goods/{k}.html"] = b.page(
            name[k],
            f"<main><div><h2>{_e(name[k])}</h2><p>{_e(w['price'])} ¥{9 + k}.90</p>"
            f'<a href="/api/danger/buy">{_e(w["buy"])}</a><p>{related}</p></div></main>',
        )
    files["help.html"] = b.page(w["help"], f"<main><p>{_e(w['notice_text'])}</p></main>")
    files["support.html"] = b.page(w["support"], "<main><p>QQ 1930087766</p></main>")
    files["help/renew.html"] = b.page(
        w["help_decoy"], f"<main><p>{_e(w['help_decoy'])} — {_e(w['account'])} → …</p></main>"
    )
    files["agreement.html"] = b.page(w["agreement"], "<main><p>§1 …</p></main>")
    plans = "".join(
        f'<div class="card"><h3>VIP {m}</h3><a href="/api/danger/buy-vip">{_e(w["promo"])}</a>'
        "</div>"
        for m in (1, 3, 12)
    )
    files["vip/buy.html"] = b.page(w["vip_ad"], f"<main><div>{plans}</div></main>")
    return files
