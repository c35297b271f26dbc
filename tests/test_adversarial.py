"""Adversarial sites: dangerous controls worded unlike the keyword model, and tricks.

The structure of a control — what it submits, where it links, what it toggles — and the
read-only network keep every one of them from reaching the server, whatever it says. The
wording of the traps is kept out of ``keywords.yaml`` (the first test), so these tests prove
the structure holds without the words. Every site fixture asserts on teardown that no
dangerous endpoint was reached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cancelscout.browser.runtime import Runtime
from cancelscout.data import keywords
from cancelscout.demo.server import SiteServer
from cancelscout.result import LocateResult
from cancelscout.runs.discover import discover_cancel
from cancelscout.runs.locate import LocateOptions
from cancelscout.textnorm import fold_label
from capture_support import Capture, capture_run_fixture  # noqa: F401 (fixture)

SITES = Path(__file__).parent / "sites"
ADVERSARIAL = ["adversarial"]
Login = Callable[[str, SiteServer], Path]
Locate = Callable[..., LocateResult]


def danger_words(site: str) -> list[str]:
    lines = (SITES / site / "DANGER_WORDS.txt").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def keyword_phrases() -> list[str]:
    data = keywords()
    never = data["never_touch"]
    lists = [never["contains"], never["exact"], data["target"], data["switch_labels"]]
    return [fold_label(str(w)) for words in [*lists, data["cancel_verbs"]] for w in words]


@pytest.mark.parametrize("site", ADVERSARIAL)
def test_adversarial_danger_words_stay_out_of_keywords(site: str) -> None:
    phrases = keyword_phrases()
    overlap = [
        (word, phrase)
        for word in danger_words(site)
        for phrase in phrases
        if phrase in fold_label(word) or fold_label(word) in phrase
    ]
    assert danger_words(site), "the site lists its dangerous words"
    assert overlap == []


def test_adversarial_discovery_reports_the_bare_cancel_and_sends_nothing(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    runtime: Runtime,
    tmp_path: Path,
) -> None:
    server = site_server("adversarial")
    session = login_session("fx-adversarial", server)
    options = LocateOptions(out_dir=tmp_path / "rec", session_file=session, timeout_s=5)
    result = discover_cancel(server.url + "/", options, runtime).result
    assert result.status == "found", result.error
    assert result.entry is not None
    assert result.entry.text == "Cancel"
    assert result.entry.href == server.url + "/account/membership/7/end"
    assert result.breadcrumb()[-2:] == ["My membership", "Cancel"]
    # Neither the entry's link nor any trap was requested (all are danger endpoints).
    assert server.state()["danger_hits"] == []


# (route, kind of refusal, the start of its reason) for every trap of the hostile profile.
TRAPS = [
    ("labelledby renew icon", "click", "it submits a form"),
    ("GET link that cancels", "click", "it opens an action URL ('tuiding'"),
    ("goto the GET cancel URL", "navigation", "it is an action URL ('tuiding')"),
    ("route that starts on the GET cancel URL", "navigation", "it is an action URL ('tuiding')"),
    ("div switch", "click", "it toggles a setting"),
    ("label of a checkbox", "click", "it toggles a setting"),
    ("icon inside a submit button", "click", "it submits a form"),
    ("image inside a quick-pay link", "click", "it opens an action URL ('pay'"),
    ("a click that POSTs", "request", "read-only network"),
    ("href swapped on mousedown", "navigation", "it is an action URL ('cancel')"),
    ("confirm button in an iframe", "click", "it submits a form"),
    ("goto the entry's own link", "navigation", "it is the cancel entry's own link"),
]


@pytest.fixture
def trapped(
    site_server: Callable[[str], SiteServer], login_session: Login, locate: Locate
) -> tuple[LocateResult, SiteServer]:
    server = site_server("adversarial")
    session = login_session("fx-adversarial", server)
    return locate("fx-adversarial-traps", server, session, timeout_s=2.0), server


def steps_of(result: LocateResult) -> list[dict[str, Any]]:
    lines = (Path(result.bundle or "") / "steps.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_adversarial_every_trap_of_a_hostile_profile_is_refused(
    trapped: tuple[LocateResult, SiteServer],
) -> None:
    result, server = trapped
    assert result.status == "not_found"
    assert result.routes_tried == [name for name, _, _ in TRAPS]
    assert server.state()["danger_hits"] == []
    # Each refusal sits in the step record it happened in, which names its route.
    route_of_step = {s["index"]: s.get("route") for s in steps_of(result)}
    seen: dict[str | None, tuple[str, str]] = {}
    for blocked in result.blocked:
        seen.setdefault(route_of_step[blocked.step], (blocked.kind, blocked.reason))
    for name, kind, reason in TRAPS:
        assert name in seen, f"{name}: nothing was refused ({result.blocked})"
        assert seen[name][0] == kind, (name, seen[name])
        assert seen[name][1].startswith(reason), (name, seen[name])


def test_adversarial_blocked_requests_are_in_the_json_and_the_report(
    trapped: tuple[LocateResult, SiteServer],
) -> None:
    result, _ = trapped
    data = json.loads(result.model_dump_json())
    posted = [b for b in data["blocked"] if b["kind"] == "request"]
    assert posted and posted[0]["method"] == "POST"
    assert posted[0]["url"].endswith("/api/danger/renew")
    assert posted[0]["initiator"].endswith("/user/home.html")
    record = next(s for s in steps_of(result) if s["index"] == posted[0]["step"])
    assert posted[0] in record["blocked"]  # the step that sent it carries it, hash-chained
    report = Path(result.report or "").read_text("utf-8")
    assert "/api/danger/renew" in report and "read-only network" in report


def test_adversarial_check_url_that_is_an_action_is_refused(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    locate_file: Locate,
    tmp_path: Path,
) -> None:
    server = site_server("adversarial")
    session = login_session("fx-adversarial", server)
    text = (Path(__file__).parent / "profiles" / "fx-adversarial.yaml").read_text("utf-8")
    path = tmp_path / "fx-adversarial.yaml"
    # Without a login-URL rule the check page is opened before any route.
    text = text.replace("check_url: /user/home.html", "check_url: /member.php?act=tuiding&id=7")
    text = text.replace("  logged_out:\n    - url_contains: /login.html\n", "")
    path.write_text(text, encoding="utf-8")
    result = locate_file(path, server, session, timeout_s=2)
    assert result.status == "error"
    assert result.error == (
        f"refused to open {server.url}/member.php?act=tuiding&id=7: it is an action URL ('tuiding')"
    )
    assert [b.kind for b in result.blocked] == ["navigation"]


def test_adversarial_capture_refuses_an_action_url(
    site_server: Callable[[str], SiteServer],
    login_session: Login,
    capture_run: Capture,
) -> None:
    server = site_server("adversarial")
    session = login_session("fx-adversarial", server)
    result = capture_run("fx-adversarial", server, session, urls=["/member.php?act=tuiding&id=7"])
    assert [(b.kind, b.reason) for b in result.blocked] == [
        ("navigation", "it is an action URL ('tuiding')")
    ]
    assert server.state()["danger_hits"] == []
