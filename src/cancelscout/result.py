"""The result contract of ``locate-cancel`` (``--json``): add fields freely, never rename."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["found", "not_found", "login_required", "needs_human", "error", "interrupted"]
AutoRenewStatus = Literal["on", "off", "unknown"]


class Entry(BaseModel):
    text: str
    page_url: str
    href: str | None = None
    locator: str
    screenshot: str | None = Field(None, description="Annotated screenshot, bundle-relative.")
    full_page_screenshot: str | None = None
    crop_screenshot: str | None = None
    frame_url: str | None = None


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
    blocked: list[str] = Field(default_factory=list, description="Refused clicks and navigations.")
    dialogs: list[str] = Field(default_factory=list, description="JS dialogs seen (all dismissed).")
    login_command: str | None = None
    timestamp: dict[str, str] | None = Field(
        None,
        description="RFC 3161 timestamp of manifest.json (tsa_url, gen_time, tsa) or its error. "
        "Obtained after the manifest, so absent from the manifest's copy of the result.",
    )
    redacted: dict[str, int] = Field(
        default_factory=dict,
        description="Distinct personal-data values masked, by kind (phone, id_card, …).",
    )

    def breadcrumb(self) -> list[str]:
        return [step.label for step in self.path if step.action != "goto"]
