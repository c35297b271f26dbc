"""The result contract of ``locate-cancel`` (``--json``): add fields freely, never rename."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["found", "not_found", "login_required", "needs_human", "error", "interrupted"]
AutoRenewStatus = Literal["on", "off", "unknown"]


class Entry(BaseModel):
    text: str
    name: str | None = Field(None, description="Accessible name, when it says more than text.")
    context: str | None = Field(None, description="The heading or row label it sits under.")
    page_url: str
    href: str | None = None
    locator: str
    screenshot: str | None = Field(None, description="Annotated screenshot, bundle-relative.")
    full_page_screenshot: str | None = None
    crop_screenshot: str | None = None
    frame_url: str | None = None


class Friction(BaseModel):
    """How hard the platform made it, measured (in the spirit of justdeleteme's scale)."""

    grade: Literal["easy", "medium", "hard", "impossible"]
    reason: str
    clicks: int = 0
    hovers: int = 0
    pages_visited: int = 0
    depth: int = 0
    needs_hover: bool = False
    needs_scroll: bool = False
    in_frame: bool = False
    icon_only: bool = False
    demoted: bool = False
    font_size: float | None = None
    contrast: float | None = Field(None, description="Entry text vs its background (WCAG).")
    loudest_button_ratio: float | None = Field(
        None, description="Area of the page's biggest pay/renew button over the entry's area."
    )


BlockedKind = Literal["request", "navigation", "click", "download"]


class Blocked(BaseModel):
    """Something the run refused: a click, a page, a download, or a request the read-only
    network held back. Evidence too (a page that POSTs on load is worth knowing)."""

    kind: BlockedKind
    method: str = Field("", description="HTTP method of a request or navigation.")
    url: str = Field("", description="Where it would have gone (the link of a refused click).")
    reason: str
    initiator: str = Field("", description="The page or frame whose request it was.")
    step: int | None = Field(None, description="The step (steps.jsonl index) it happened in.")


class PathStep(BaseModel):
    action: str
    label: str
    url: str


class LocateResult(BaseModel):
    status: Status
    platform: str
    mode: Literal["profile", "discovery"] = "profile"
    entry: Entry | None = None
    path: list[PathStep] = Field(default_factory=list)
    clicks: int = 0
    hovers: int = 0
    pages_visited: int = 0
    auto_renew: AutoRenewStatus = "unknown"
    bundle: str | None = None
    report: str | None = None
    duration_s: float = 0.0
    error: str | None = None
    route: str | None = Field(None, description="Name of the profile route that reached the entry.")
    routes_tried: list[str] = Field(default_factory=list)
    blocked: list[Blocked] = Field(
        default_factory=list,
        description="Refused clicks, navigations and downloads; write requests the read-only "
        "network held back.",
    )
    dialogs: list[str] = Field(default_factory=list, description="JS dialogs seen (all dismissed).")
    login_command: str | None = None
    timestamp: dict[str, str] | None = Field(
        None,
        description="RFC 3161 timestamp of manifest.json (tsa_url, gen_time, tsa) or its error. "
        "Obtained after the manifest, so absent from the manifest's copy of the result.",
    )
    friction: Friction | None = None
    alternatives: list[dict[str, str]] = Field(
        default_factory=list,
        description="Other ways out seen on the way (e.g. 注销账号), never clicked.",
    )
    support: list[dict[str, str]] = Field(
        default_factory=list,
        description="Customer-service routes seen on the way (links, QQ and phone numbers).",
    )
    failed_actions: list[dict[str, str]] = Field(
        default_factory=list,
        description="Actions that failed (an intercepted, detached or timed-out click), "
        "with their errors; the search went on without them.",
    )
    untried: list[str] = Field(
        default_factory=list,
        description="Ways the search had found but not tried when it stopped (not_found).",
    )
    explored: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Discovery's map: every state explored, its parent, screenshot and scores.",
    )
    redacted: dict[str, int] = Field(
        default_factory=dict,
        description="Distinct personal-data values masked, by kind (phone, id_card, …).",
    )

    def breadcrumb(self) -> list[str]:
        return [step.label for step in self.path if step.action != "goto"]


# -- capture (``cancelscout capture``, ``locate-cancel --capture``) --------------------------------
# The same contract rule: fields are added, never renamed.

CaptureStatus = Literal[
    "captured", "not_found", "login_required", "needs_human", "error", "interrupted"
]
PageKind = Literal["promo", "agreement", "orders", "status", "page"]
Severity = Literal["high", "medium", "low"]


class CapturedPage(BaseModel):
    url: str = Field(description="The page as loaded (after redirects).")
    title: str | None = None
    kind: PageKind
    screenshot: str | None = Field(None, description="Full-page screenshot, bundle-relative.")
    pdf: str | None = Field(None, description="PDF print of the page, bundle-relative.")
    requested_url: str = ""
    kind_source: Literal["profile", "inferred"] = "profile"
    dom: str | None = None
    text: str | None = Field(None, description="Visible text (masked), bundle-relative.")
    annotated: str | None = Field(None, description="Copy with promises / clauses outlined.")
    time: str | None = Field(None, description="UTC time of the capture record.")
    record: int | None = Field(None, description="Index of the capture record in steps.jsonl.")
    http_status: int | None = None
    error: str | None = None
    warning: str | None = Field(
        None, description="The page was empty or still loading when captured (a finding)."
    )


class FlaggedClause(BaseModel):
    rule: str
    text: str = Field(description="The whole flagged sentence, as it appears on the page.")
    page_url: str
    severity: Severity
    title: str = ""
    explanation: str = ""
    basis: list[str] = Field(default_factory=list, description="Law ids (data/clauses.yaml).")
    matched_by: Literal["rule", "model"] = Field(
        "rule", description="The family's own rule, or the clause model (a second reader)."
    )
    crop: str | None = Field(None, description="Screenshot crop with the sentence outlined.")
    box: dict[str, float] | None = None
    record: int | None = None


class Promise(BaseModel):
    phrase: str
    page_url: str
    text: str = Field("", description="The sentence the phrase appears in.")
    box: dict[str, float] | None = Field(None, description="Where, in page coordinates.")
    annotated: str | None = None
    record: int | None = None


class Order(BaseModel):
    order_no: str | None = None
    date: str | None = None
    amount: str | None = Field(None, description="The amount as shown on the page, e.g. ¥15.00.")
    item: str | None = None
    payment_method: str | None = None
    status: str | None = None
    membership: bool = Field(False, description="A purchase of the platform's own membership.")
    page_url: str = ""
    record: int | None = None


class StatusFact(BaseModel):
    """One membership-status fact read from a page, with where it was read."""

    name: Literal["auto_renew", "next_charge", "expires", "renew_price", "level"]
    value: str
    text: str = Field("", description="The page text it was read from.")
    page_url: str = ""
    record: int | None = None


class Grade(BaseModel):
    grade: Literal["A", "B", "C", "D", "E"]
    reason: str


class CaptureResult(BaseModel):
    status: CaptureStatus
    platform: str
    mode: Literal["capture"] = "capture"
    platform_name: str | None = None
    site: str | None = Field(None, description="The platform's base URL.")
    bundle: str | None = None
    report: str | None = None
    pages: list[CapturedPage] = Field(default_factory=list)
    clauses: list[FlaggedClause] = Field(default_factory=list)
    promises: list[Promise] = Field(default_factory=list)
    orders: list[Order] = Field(default_factory=list)
    auto_renew: AutoRenewStatus = "unknown"
    next_charge: str | None = Field(None, description="Next charge date (YYYY-MM-DD), if shown.")
    status_facts: list[StatusFact] = Field(default_factory=list)
    grade: Grade | None = Field(None, description="ToS;DR-style class of the agreement text.")
    # Capture opens URLs only: it never clicks or hovers (kept for the shared report card).
    clicks: int = 0
    hovers: int = 0
    pages_visited: int = 0
    duration_s: float = 0.0
    error: str | None = None
    login_command: str | None = None
    blocked: list[Blocked] = Field(default_factory=list)
    dialogs: list[str] = Field(default_factory=list)
    timestamp: dict[str, str] | None = None
    redacted: dict[str, int] = Field(default_factory=dict)
