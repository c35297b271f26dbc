"""Compose one shop from its seed and write it as static files a SiteServer can serve."""

from __future__ import annotations

import html
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.shopgen.words import FAMILIES

MENUS = ["text", "avatar_click", "avatar_hover", "icon", "drawer"]
NAVS = ["sidebar", "tabs", "card"]
ENTRIES = ["button", "card_manage", "row", "switch", "none"]
LATE = ["none", "none", "delay", "shadow", "fetch"]
OVERLAYS = ["none", "none", "once", "every"]
DECOYS = ["help_article", "agreement", "promo", "vip_page", "cancel_order"]
USER = "scout_88"

CSS = """body{font-family:'Noto Sans CJK SC',sans-serif;margin:0;color:#333}
header{display:flex;gap:18px;align-items:center;padding:10px 24px;background:#234;color:#fff}
header a,header button{color:#fff;background:none;border:0;font-size:15px;cursor:pointer}
.grow{flex:1}.um{position:relative}.um ul{position:absolute;right:0;top:100%;margin:0;
padding:6px;list-style:none;background:#fff;border:1px solid #ccc;min-width:140px}
.um ul a{color:#234;display:block;padding:6px}.hov ul{display:none}.hov:hover ul{display:block}
.drawer{position:fixed;left:0;top:0;bottom:0;width:220px;background:#fff;padding:20px;
box-shadow:0 0 8px #888;z-index:50}.drawer a{display:block;color:#234;padding:8px}
main{display:flex;gap:24px;padding:24px}aside a{display:block;padding:6px 0;color:#234}
.card{border:1px solid #ddd;padding:16px;margin:0 0 16px;min-width:380px}
.row{display:flex;gap:12px;padding:4px 0}.goods{display:inline-block;width:160px;margin:8px}
.mask{position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:999;display:flex;
align-items:center;justify-content:center}.box{background:#fff;padding:24px;width:360px}
[role=switch]{width:44px;height:24px;border-radius:12px;background:#4a4;border:0}
footer{padding:24px;font-size:13px;color:#888}footer a{color:#888;margin-right:12px}
"""


@dataclass
class Shop:
    seed: int
    family: str
    menu: str
    nav: str
    entry: str
    late: str
    overlay: str
    decoys: list[str]
    goods: int
    expected: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return (
            f"seed {self.seed}: {self.family} menu={self.menu} nav={self.nav} entry={self.entry}"
            f" late={self.late} overlay={self.overlay} decoys={','.join(self.decoys) or '-'}"
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class _Builder:
    def __init__(self, shop: Shop, rng: random.Random) -> None:
        self.s, self.rng, self.w = shop, rng, shop.words

    # -- page frame ----------------------------------------------------------------------------
    def account_trigger(self) -> str:
        w, menu = self.w, self.s.menu
        items = (
            f'<li><a href="/user/index.html">{_e(w["account"])}</a></li>'
            f'<li><a href="/user/orders.html">{_e(w["orders"])}</a></li>'
            f'<li><a href="/api/danger/logout">{_e(w["logout"])}</a></li>'
        )
        avatar = '<img src="/avatar.svg" alt="" width="24" height="24">'
        if menu == "text":
            return f'<span>{_e(USER)}</span><a href="/user/index.html">{_e(w["account"])}</a>'
        if menu == "avatar_click":
            return (
                '<div class="um"><button type="button" aria-haspopup="true" aria-expanded="false"'
                ' onclick="var u=this.nextElementSibling;u.hidden=!u.hidden;'
                "this.setAttribute('aria-expanded',String(!u.hidden))\">"
                f"{avatar} {_e(USER)} ▾</button><ul hidden>{items}</ul></div>"
            )
        if menu == "avatar_hover":
            return (
                f'<div class="um hov"><a href="javascript:;">{avatar} {_e(USER)} ▾</a>'
                f"<ul>{items}</ul></div>"
            )
        if menu == "icon":
            attr = "title" if self.rng.random() < 0.5 else "aria-label"
            return (
                f'<a href="/user/index.html" {attr}="{_e(w["account"])}">'
                '<svg aria-hidden="true" width="22" height="22"><circle cx="11" cy="8" r="5"'
                ' fill="#fff"/><rect x="3" y="14" width="16" height="7" fill="#fff"/></svg></a>'
            )
        return f"<span>{_e(USER)}</span>"  # drawer: the menu button sits at the start

    def header(self) -> str:
        w = self.w
        drawer = ""
        start = ""
        if self.s.menu == "drawer":
            label = f' aria-label="{_e(w["menu"])}"' if self.rng.random() < 0.5 else ""
            start = (
                f'<button type="button"{label} aria-expanded="false" onclick="var d='
                "document.getElementById('drawer');d.hidden=!d.hidden;"
                "this.setAttribute('aria-expanded',String(!d.hidden))\">☰</button>"
            )
            drawer = (
                '<nav class="drawer" id="drawer" hidden>'
                f'<a href="/index.html">{_e(w["home"])}</a>'
                f'<a href="/catalogue-1.html">{_e(w["catalogue"])}</a>'
                f'<a href="/user/index.html">{_e(w["account"])}</a>'
                f'<a href="/user/orders.html">{_e(w["orders"])}</a>'
                f'<a href="/help.html">{_e(w["help"])}</a></nav>'
            )
        vip = (
            f'<a href="/vip/buy.html">{_e(w["vip_ad"])}</a>' if "vip_page" in self.s.decoys else ""
        )
        return (
            f"<header>{start}<b>{_e(w['shop'])}</b>"
            f'<a href="/index.html">{_e(w["home"])}</a>'
            f'<a href="/catalogue-1.html">{_e(w["catalogue"])}</a>{vip}'
            f'<a href="/help.html">{_e(w["help"])}</a><span class="grow"></span>'
            f"{self.account_trigger()}</header>{drawer}"
        )

    def footer(self) -> str:
        w, links = self.w, []
        if "help_article" in self.s.decoys:
            links.append(f'<a href="/help/renew.html">{_e(w["help_decoy"])}</a>')
        if "agreement" in self.s.decoys:
            links.append(f'<a href="/agreement.html">{_e(w["agreement"])}</a>')
        links.append(f'<a href="/support.html">{_e(w["support"])}</a>')
        return f"<footer>{''.join(links)}<p>© 2026 {_e(w['shop'])}</p></footer>"

    def overlay(self, home: bool) -> str:
        kind = self.s.overlay
        if kind == "none" or (kind == "once" and not home):
            return ""
        w = self.w
        if self.rng.random() < 0.3:
            button = f'<button type="button" aria-label="{_e(w["dismiss"])}">×</button>'
        else:
            button = f'<button type="button">{_e(w["dismiss"])}</button>'
        seen = "sessionStorage.getItem('seen')" if kind == "once" else "false"
        return (
            f'<div class="mask" id="notice"><div class="box" role="dialog" aria-modal="true" '
            f'aria-labelledby="nt"><h3 id="nt">{_e(w["notice"])}</h3><p>{_e(w["notice_text"])}'
            f"</p>{button}</div></div><script>(function(){{var m=document.getElementById("
            f"'notice');if({seen}){{m.remove();return}}m.querySelector('button').onclick="
            "function(){sessionStorage.setItem('seen','1');m.remove()}})()</script>"
        )

    def page(self, title: str, body: str, *, home: bool = False) -> str:
        return (
            f'<!DOCTYPE html><html lang="{self.w["lang"]}"><head><meta charset="utf-8">'
            f'<title>{_e(title)} - {_e(self.w["shop"])}</title><link rel="stylesheet" '
            f'href="/style.css"></head><body>{self.header()}{body}{self.footer()}'
            f"{self.overlay(home)}</body></html>"
        )


AVATAR = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><circle cx="12" cy="12" '
    'r="12" fill="#8ab"/></svg>'
)


def compose(seed: int, *, goods: int | None = None, entry: str | None = None) -> Shop:
    """The parts of shop ``seed`` (independent draws from its own random stream)."""
    rng = random.Random(seed)
    family = rng.choice(sorted(FAMILIES))
    words = {part: rng.choice(options) for part, options in FAMILIES[family].items()}
    decoys = [d for d in DECOYS if rng.random() < 0.5]
    return Shop(
        seed=seed,
        family=family,
        menu=rng.choice(MENUS),
        nav=rng.choice(NAVS),
        entry=entry or rng.choice(ENTRIES),
        late=rng.choice(LATE),
        overlay=rng.choice(OVERLAYS),
        decoys=decoys,
        goods=goods or rng.randint(8, 40),
        words=words,
    )


def generate(seed: int, root: Path, *, goods: int | None = None, entry: str | None = None) -> Shop:
    """Write shop ``seed`` into ``root`` (served by SiteServer) and return its parts and answer."""
    from tests.shopgen.pages import account_pages, shop_pages

    shop = compose(seed, goods=goods, entry=entry)
    builder = _Builder(shop, random.Random(seed * 7919 + 1))
    files = shop_pages(builder)
    account, label = account_pages(builder)
    files.update(account)
    files["style.css"] = CSS
    files["avatar.svg"] = AVATAR
    files["site.json"] = json.dumps({"protected": [], "login_page": "/login.html"})
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    shop.expected = (
        {"status": "found", "entry": label, "page": "/user/"}
        if label
        else {"status": "not_found", "alternative": shop.words["delete_control"]}
    )
    return shop
