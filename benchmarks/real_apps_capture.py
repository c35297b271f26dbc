"""Capture (orders and clause flags) on real open-source apps on loopback (see real_apps.md).

    .venv/bin/python benchmarks/real_apps_capture.py [PAGE_OR_APP ...] [--mode url|profile|both]

For each page of the hand-written ground truth (/work/realapps/CAPTURE_GROUND_TRUTH.md) whose app
answers and whose session file exists, runs the CLI as a user would and compares: the extracted
orders with the records the page shows (per field: number, date, time, amount, item), the flagged
clauses with the sentences labelled unfair (recall, precision), and every request the app received
during the capture that must never be sent (nginx access log; for WordPress also the tripwire
log). Two ways of running, as a user can:

- ``url``: ``cancelscout capture --url URL --session STATE --json`` (no profile: the page's kind is
  inferred, the read-only network sends GET/HEAD/OPTIONS only);
- ``profile``: a one-page profile written to a temporary ``--profiles`` folder that names the
  page's evidence kind and lets the site's read-only POSTs through (``allow_requests``), as a
  maintainer would after looking at the site.

Apps that are not up are skipped. Never part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

from real_apps import log_size, new_requests  # noqa: E402  (the access-log readers)

HOME = Path(os.environ.get("CANCELSCOUT_REALAPPS", "/work/realapps"))


@dataclass(frozen=True)
class Rec:
    """One record the page shows; None = the page does not show this field."""

    number: str | None
    date: str | None
    amount: str | None
    item: str | None


@dataclass(frozen=True)
class Clause:
    """A sentence labelled unfair: a short piece of it, and its family."""

    key: str
    family: str


@dataclass(frozen=True)
class Page:
    id: str
    app: str
    path: str
    kind: str  # the evidence kind a profile would give it (profile mode)
    orders: tuple[Rec, ...] = ()
    unfair: tuple[Clause, ...] = ()
    session: str = "state.json"
    shown_unless: str = ""  # the page shows only while this file does not exist
    expires: str = ""  # an expiry date the page shows (a status fact)


@dataclass(frozen=True)
class App:
    name: str
    base: str
    log: str
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...] = ()  # exceptions to `forbidden` (read-only POSTs the pages make)
    tripwire: str = ""
    login: str = ""  # URL part of the login page (the profile's logged_out rule)
    allow: tuple[tuple[str, str], ...] = ()  # the profile's allow_requests (method, regex)


APPS = {
    "acg-faka": App(
        "acg-faka", "http://127.0.0.1:8101", "/var/log/nginx/acgfaka.access.log",
        forbidden=(r'"POST ', r"/user/authentication/logout", r"agree=1", r'"GET /install'),
        allowed=(
            r'"POST /(user|admin)/api/[A-Za-z]+/data',
            r'"POST /user/api/(dict|lang)/',
            r'"POST /user/api/index/(query|valuation|stock|pay|commodity|data)',
            r'"POST /user/api/(message/recent|ticket/badge)',
        ),
        login="/authentication/login",
        allow=(
            ("POST", r"/user/api/[A-Za-z]+/data$"), ("POST", r"/user/api/index/query$"),
            ("POST", r"/user/api/(dict|lang)/"), ("POST", r"/user/api/message/recent$"),
            ("POST", r"/user/api/ticket/badge$"), ("GET", r"/user/personal/purchaseRecord$"),
            ("GET", r"/user/business/index\?purchase=1$"),
        ),
    ),
    "discuzx": App(
        "discuzx", "http://127.0.0.1:8102", "/var/log/nginx/discuzx.access.log",
        forbidden=(
            r'"POST ', r"do=(exit|switch)", r"action=logout", r"resend=1", r"admin\.php",
        ),
        login="mod=logging", allow=(("GET", r"ac=usergroup&do=buy&groupid=20$"),),
    ),
    "wpsm": App(
        "wpsm", "http://127.0.0.1:8103", "/var/log/nginx/wpsm.access.log",
        forbidden=(r'"POST ', r"swpm_delete_account", r"swpm-logout", r"action=logout"),
        tripwire=str(HOME / "wpsm/logs/tripwire.log"), login="wp-login.php",
    ),
}  # fmt: skip

# The ground truth of /work/realapps/CAPTURE_GROUND_TRUTH.md, written by hand before any capture.
ACG_ROWS = (
    Rec("991261201233421935", None, "¥1.8", "DEMO"),
    Rec("253261201233344450", None, "¥19.9", "年卡会员（365天）"),
    Rec("825261201233317675", None, "¥9.9", "月卡会员（30天）"),
)
PAGES = (
    Page("acg-purchases", "acg-faka", "/user/personal/purchaseRecord", "orders", orders=ACG_ROWS),
    Page("acg-dashboard", "acg-faka", "/user/dashboard/index", "orders", orders=ACG_ROWS),
    Page("acg-bill", "acg-faka", "/user/bill/index", "orders", orders=(
        Rec("991261201233421935", "2026-12-01 23:34:21", "¥1.8", None),
        Rec("253261201233344450", "2026-12-01 23:33:44", "¥19.9", None),
        Rec("825261201233317675", "2026-12-01 23:33:17", "¥9.9", None),
    )),
    Page("acg-query", "acg-faka", "/user/index/query?tradeNo=825261201233317675", "orders", orders=(
        Rec("825261201233317675", "2026-12-01 23:33:17", "¥9.9", "月卡会员（30天）"),
    )),
    Page("acg-notice", "acg-faka", "/", "promo"),
    Page("acg-plans", "acg-faka", "/user/business/index?purchase=1", "promo"),
    Page("acg-operator-terms", "acg-faka", "/admin/dashboard/index", "agreement", unfair=(
        Clause("我们保留随时修改本协议的权利", "unilateral-change"),
        Clause("继续使用系统即表示同意修改后的协议条款", "no-notice"),
    ), session="admin_state.json", shown_unless="acg-faka/src/config/terms"),
    Page("dz-creditlog", "discuzx", "/home.php?mod=spacecp&ac=credit&op=log", "orders", orders=(
        Rec(None, "2026-12-01 14:00", "金钱 -300", "购买扩展用户组"),
    )),
    Page("dz-groups", "discuzx", "/home.php?mod=spacecp&ac=usergroup&do=list", "status",
         expires="2026-12-31"),
    Page("dz-buyterms", "discuzx", "/home.php?mod=spacecp&ac=usergroup&do=buy&groupid=20",
         "agreement", unfair=(Clause("购买后不能退款", "no-refund"),)),
    Page("wp-subs", "wpsm", "/membership-login/manage-subscriptions/", "status"),
    Page("wp-privacy", "wpsm", "/privacy-policy/", "agreement"),
    Page("wp-join", "wpsm", "/membership-join/", "promo"),
)  # fmt: skip


def norm(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def money(text: str | None) -> float | None:
    found = re.search(r"\d+(?:\.\d+)?", (text or "").replace(",", ""))
    return float(found.group()) if found else None


def same_date(expected: str, got: str | None) -> bool:
    """The calendar date (the first three numbers) is the same."""
    want = [int(x) for x in re.findall(r"\d+", expected)[:3]]
    return len(want) == 3 and [int(x) for x in re.findall(r"\d+", got or "")[:3]] == want


def clock(text: str | None) -> list[int]:
    """Hour and minute after the date, if any."""
    return [int(x) for x in re.findall(r"\d+", text or "")[3:5]]


def same_item(expected: str, got: str | None) -> bool:
    want, have = norm(expected), norm(got)
    return bool(have) and (want in have or have in want)


FIELDS = ("number", "date", "time", "amount", "item")
_KEY = {"number": "order_no", "date": "date", "time": "date", "amount": "amount", "item": "item"}


@dataclass
class Score:
    expected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    invented: int = 0  # a value for a field the page does not show
    extra: int = 0  # extracted records that are none of the page's records
    records: int = 0
    matched: int = 0
    unfair: int = 0
    hit: int = 0
    right_family: int = 0
    flagged: int = 0
    true_flags: int = 0
    expiry: int = 0  # expiry dates shown
    expiry_found: int = 0

    def add(self, other: Score) -> None:
        for name in FIELDS:
            self.expected[name] += other.expected[name]
            self.found[name] += other.found[name]
        for name in ("invented", "extra", "records", "matched", "unfair", "hit", "right_family",
                     "flagged", "true_flags", "expiry", "expiry_found"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


def expected_field(rec: Rec, name: str) -> str | None:
    if name == "time":
        return rec.date if rec.date and clock(rec.date) else None
    return getattr(rec, name)


def right(name: str, want: str, have: str | None) -> bool:
    if name == "number":
        return digits(have) == want
    if name == "date":
        return same_date(want, have)
    if name == "time":
        return clock(have) == clock(want)
    if name == "amount":
        return money(have) == money(want)
    return same_item(want, have)


def pick(rec: Rec, orders: list[dict], used: set[int]) -> int | None:
    for i, order in enumerate(orders):
        if i in used:
            continue
        if rec.number is not None:
            if digits(order.get("order_no")) == rec.number:
                return i
        elif money(order.get("amount")) == money(rec.amount) and same_date(
            rec.date or "", order.get("date")
        ):
            return i
    return None


def score_orders(page: Page, orders: list[dict], notes: list[str]) -> Score:
    score = Score(records=len(page.orders))
    used: set[int] = set()
    for rec in page.orders:
        for name in FIELDS:
            score.expected[name] += expected_field(rec, name) is not None
        i = pick(rec, orders, used)
        if i is None:
            notes.append(f"missed record {rec.number or rec.date} {rec.item or ''}")
            continue
        used.add(i)
        score.matched += 1
        got = orders[i]
        for name in FIELDS:
            want = expected_field(rec, name)
            have = got.get(_KEY[name])
            if name == "time" and want is None:
                continue  # a date without a time is not an invented time
            if want is None:
                if have:
                    score.invented += 1
                    notes.append(f"{rec.number or rec.date}: {name} {have!r} is not on the page")
            elif right(name, want, have):
                score.found[name] += 1
            else:
                notes.append(f"{rec.number or rec.date}: {name} {have!r}, expected {want!r}")
    for i, order in enumerate(orders):
        if i not in used:
            score.extra += 1
            shown = {k: v for k, v in order.items() if v and k not in ("page_url", "record")}
            notes.append(f"extra record {shown}")
    return score


def score_clauses(page: Page, clauses: list[dict], notes: list[str]) -> Score:
    score = Score(unfair=len(page.unfair), flagged=len(clauses))
    hits: set[int] = set()
    for label in page.unfair:
        matches = [i for i, c in enumerate(clauses) if norm(label.key) in norm(c.get("text"))]
        if not matches:
            notes.append(f"unflagged {label.family}: {label.key}")
            continue
        score.hit += 1
        hits.update(matches)
        if any(clauses[i].get("rule") == label.family for i in matches):
            score.right_family += 1
        else:
            rules = sorted({clauses[i].get("rule") for i in matches})
            notes.append(f"{label.key}: flagged as {rules}, labelled {label.family}")
    score.true_flags = len(hits)
    for i, clause in enumerate(clauses):
        if i not in hits:
            notes.append(f"false flag {clause.get('rule')}: {clause.get('text', '')[:90]!r}")
    return score


def up(app: App) -> str | None:
    try:
        urllib.request.urlopen(app.base + "/", timeout=3).close()
    except OSError as exc:
        return f"not answering ({exc})"
    return None


def dangerous(app: App, lines: list[str]) -> list[str]:
    return [
        line
        for line in lines
        if any(re.search(p, line) for p in app.forbidden)
        and not any(re.search(p, line) for p in app.allowed)
    ]


def profile_yaml(page: Page, app: App) -> str:
    """A minimal site profile for one page, as a maintainer would write after looking at the
    site: the page under its evidence kind, the read-only POSTs (and action-looking GET pages)
    the site needs let through. Routes are required by the schema but unused by capture."""
    allow = "".join(
        f"  - {{method: {method}, url: {json.dumps(regex)}}}\n" for method, regex in app.allow
    )
    return (
        f"schema_version: 1\nid: rb-{page.id}\nname: {page.app} ({page.id})\n"
        f"base_url: {app.base}/\n"
        f"login:\n  url: {app.base}/\n  check_url: {json.dumps(page.path)}\n"
        f"  logged_out:\n    - url_contains: {json.dumps(app.login)}\n"
        "routes:\n  - name: unused by capture\n    target: {text: unused}\n"
        + (f"allow_requests:\n{allow}" if allow else "")
        + f"evidence:\n  {page.kind}: [{json.dumps(page.path)}]\n"
    )


def capture(page: Page, app: App, mode: str, out: Path, profiles: Path) -> tuple[dict, float]:
    session = HOME / page.app / page.session
    command = [sys.executable, "-m", "cancelscout", "capture"]
    if mode == "url":
        command += ["--url", app.base + page.path]
    else:
        (profiles / f"rb-{page.id}.yaml").write_text(profile_yaml(page, app), encoding="utf-8")
        command += [f"rb-{page.id}", "--profiles", str(profiles)]
    command += ["--session", str(session), "--json", "--out", str(out)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    seconds = time.monotonic() - started
    try:
        return json.loads(done.stdout), seconds
    except json.JSONDecodeError:
        return {"status": f"no JSON (exit {done.returncode}): {done.stderr[-300:]}"}, seconds


def skip_reason(page: Page, app: App, down: dict[str, str | None]) -> str | None:
    if page.app not in down:
        down[page.app] = up(app)
        if down[page.app]:
            print(f"{page.app}: skipped — {down[page.app]}")
    if down[page.app]:
        return down[page.app]
    session = HOME / page.app / page.session
    if not session.exists():
        return f"no session at {session}"
    if page.shown_unless and (HOME / page.shown_unless).exists():
        return f"{HOME / page.shown_unless} exists (the page is not shown)"
    return None


def run_mode(mode: str, pages: list[Page], out: Path, profiles: Path) -> None:
    print(f"\n## mode: {mode} " + ("(--url, no profile)" if mode == "url" else "(a profile)"))
    total = Score()
    rows = []
    danger_total = 0
    down: dict[str, str | None] = {}
    for page in pages:
        app = APPS[page.app]
        why = skip_reason(page, app, down)
        if why is not None:
            if page.app in down and down[page.app] is None:
                print(f"{page.id}: skipped — {why}")
            continue
        offset, trip = log_size(app.log), log_size(app.tripwire) if app.tripwire else 0
        result, seconds = capture(page, app, mode, out / mode, profiles)
        time.sleep(0.3)  # let nginx write the last lines
        bad = dangerous(app, new_requests(app.log, offset))
        if app.tripwire:
            bad += [f"tripwire: {x}" for x in new_requests(app.tripwire, trip) if x.strip()]
        danger_total += len(bad)
        notes: list[str] = []
        score = score_orders(page, result.get("orders") or [], notes)
        score.add(score_clauses(page, result.get("clauses") or [], notes))
        facts = result.get("status_facts") or []
        if page.expires:
            score.expiry += 1
            if any(f.get("name") == "expires" and same_date(page.expires, f.get("value"))
                   for f in facts):  # fmt: skip
                score.expiry_found += 1
            else:
                notes.append(f"expiry {page.expires} not read")
        notes += [f"status fact {f.get('name')}={f.get('value')!r}" for f in facts]
        total.add(score)
        kinds = ",".join(p.get("kind", "?") for p in result.get("pages") or []) or "-"
        warn = [p["warning"] for p in result.get("pages") or [] if p.get("warning")]
        blocked = [f"{b.get('url')} ({b.get('reason')})" for b in result.get("blocked") or []]
        rows.append((page, result, score, seconds, kinds, len(bad)))
        print(
            f"{page.id}: {result.get('status')} kind={kinds} "
            f"orders {score.matched}/{score.records} (+{score.extra} extra) "
            f"clauses hit {score.hit}/{score.unfair}, flagged {score.flagged} "
            f"(true {score.true_flags}); auto_renew={result.get('auto_renew')} "
            f"next_charge={result.get('next_charge')}; {seconds:.1f} s; danger {len(bad)}"
        )
        for line in notes + [f"warning: {w}" for w in warn] + [f"blocked: {b}" for b in blocked]:
            print(f"    {line}")
        for line in bad:
            print(f"    DANGER: {line}")
    if not rows:
        return
    print()
    print(
        "| page | status | kind | records | number | date | time | amount | item | invented "
        "| extra | unfair hit | flags (true) | expiry | s | danger |"
    )
    print("|---" * 16 + "|")
    for page, result, s, seconds, kinds, bad in rows:
        cells = [f"{s.found[n]}/{s.expected[n]}" for n in FIELDS]
        print(f"| {page.id} | {result.get('status')} | {kinds} | {s.matched}/{s.records} | "
              f"{' | '.join(cells)} | {s.invented} | {s.extra} | {s.hit}/{s.unfair} | "
              f"{s.flagged} ({s.true_flags}) | {s.expiry_found}/{s.expiry} | {seconds:.1f} | "
              f"{bad} |")  # fmt: skip
    cells = [f"{total.found[n]}/{total.expected[n]}" for n in FIELDS]
    print(f"| **all** | | | {total.matched}/{total.records} | {' | '.join(cells)} | "
          f"{total.invented} | {total.extra} | {total.hit}/{total.unfair} | "
          f"{total.flagged} ({total.true_flags}) | {total.expiry_found}/{total.expiry} | "
          f"{sum(r[3] for r in rows):.0f} | "
          f"{danger_total} |")  # fmt: skip
    recall = total.hit / total.unfair if total.unfair else 0.0
    print(
        f"\n{mode}: clause recall {total.hit}/{total.unfair} = {recall:.0%} "
        f"(right family {total.right_family}); precision {total.true_flags}/{total.flagged}"
        + (f" = {total.true_flags / total.flagged:.0%}" if total.flagged else " (nothing flagged)")
        + f"; danger requests {danger_total}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="page ids or app names (default: all)")
    parser.add_argument("--mode", choices=("url", "profile", "both"), default="both")
    parser.add_argument("--out", type=Path, help="keep the evidence bundles here")
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.only or p.id in args.only or p.app in args.only]
    if all(up(APPS[name]) for name in {p.app for p in pages}):
        print("no real app is up: nothing measured (see benchmarks/real_apps.md)")
        return 0
    modes = ("url", "profile") if args.mode == "both" else (args.mode,)
    with tempfile.TemporaryDirectory() as tmp:
        profiles = Path(tmp) / "profiles"
        profiles.mkdir()
        for mode in modes:
            run_mode(mode, pages, args.out or Path(tmp), profiles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
