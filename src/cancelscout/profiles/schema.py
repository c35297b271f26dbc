"""Pydantic models of a site profile (``schema_version: 1``).

Strict on purpose (``extra="forbid"``): a misspelt key is an error with a "did you mean", never
silently ignored, because an ignored step would make a run prove the wrong thing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cancelscout.profiles.evidence import Evidence

SCHEMA_VERSION = 1
PROFILE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"

_HOST = re.compile(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*")

TextMatch = Literal["exact", "contains", "regex"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Locator kinds, most robust first (the order Playwright recommends).
LOCATOR_KINDS = ("role", "label", "text", "title", "test_id", "css", "xpath")


class Locator(StrictModel):
    """How to find one element. Exactly one kind; a plain string means ``{text: ...}``."""

    role: str | None = Field(None, description="ARIA role: link, button, menuitem, tab, switch …")
    name: str | None = Field(None, description="Accessible name, only with role.")
    label: str | None = Field(None, description="Form label or aria-label.")
    text: str | None = Field(None, description="Visible text.")
    title: str | None = Field(None, description="The title attribute.")
    test_id: str | None = Field(None, description="data-testid value.")
    css: str | None = Field(None, description="CSS selector (pierces open shadow roots).")
    xpath: str | None = Field(None, description="XPath (does not pierce shadow roots).")
    match: TextMatch = Field(
        "contains", description="How name/label/text/title compare: exact, contains or regex."
    )
    frame: list[str] = Field(
        default_factory=list,
        description="CSS selectors of the iframes that hold the element, outermost first.",
    )
    nth: int | None = Field(None, description="Pick the n-th match (0 first, -1 last).")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"text": data}
        if isinstance(data, dict) and isinstance(data.get("frame"), str):
            return {**data, "frame": [data["frame"]]}
        return data

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Locator:
        kinds = [k for k in LOCATOR_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise ValueError(
                "a locator needs exactly one of " + ", ".join(LOCATOR_KINDS) + f" (found: {found})"
            )
        if self.name is not None and self.role is None:
            raise ValueError("'name' is only valid together with 'role'")
        if self.match == "regex":
            for value in (self.name, self.label, self.text, self.title):
                if value is not None:
                    try:
                        re.compile(value)
                    except re.error as exc:
                        raise ValueError(f"invalid regex {value!r}: {exc}") from exc
        return self

    @property
    def kind(self) -> str:
        return next(k for k in LOCATOR_KINDS if getattr(self, k) is not None)

    def describe(self) -> str:
        """A short, stable, human-readable form used in logs, steps.jsonl and reports."""
        kind = self.kind
        value = getattr(self, kind)
        parts = [f"{kind}={value!r}"]
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        if self.match != "contains" and kind not in ("css", "xpath", "test_id"):
            parts.append(f"match={self.match}")
        if self.frame:
            parts.append("frame=" + " > ".join(self.frame))
        if self.nth is not None:
            parts.append(f"nth={self.nth}")
        return " ".join(parts)

    def human_text(self) -> str | None:
        """The words a person would see on the control, if the locator names them."""
        for value in (self.name, self.text, self.label, self.title):
            if value is not None and self.match != "regex":
                return value
        return None


STEP_ACTIONS = ("goto", "click", "hover", "wait_for", "scroll", "frame")


class Step(StrictModel):
    """One action on the way to the entry. Exactly one action key."""

    goto: str | None = Field(None, description="Path or URL to open (must stay on the platform).")
    click: Locator | None = None
    hover: Locator | None = None
    wait_for: Locator | None = Field(None, description="Wait until this element is visible.")
    scroll: Locator | Literal["bottom", "top"] | None = Field(
        None, description="Scroll an element into view, or the page to bottom/top."
    )
    frame: str | None = Field(
        None,
        description="CSS selector of an iframe that later steps and the target live in; "
        "'main' returns to the top page.",
    )
    label: str | None = Field(None, description="Breadcrumb text for the report.")
    optional: bool = Field(False, description="A failing optional step does not fail the route.")
    timeout_s: float | None = Field(None, gt=0, le=120)

    @model_validator(mode="after")
    def _exactly_one_action(self) -> Step:
        actions = [a for a in STEP_ACTIONS if getattr(self, a) is not None]
        if len(actions) != 1:
            found = ", ".join(actions) if actions else "none"
            raise ValueError(
                "a step needs exactly one action of "
                + ", ".join(STEP_ACTIONS)
                + f" (found: {found})"
            )
        return self

    @property
    def action(self) -> str:
        return next(a for a in STEP_ACTIONS if getattr(self, a) is not None)

    @property
    def locator(self) -> Locator | None:
        value = getattr(self, self.action)
        return value if isinstance(value, Locator) else None

    def breadcrumb(self) -> str:
        if self.label:
            return self.label
        locator = self.locator
        if locator is not None:
            return locator.human_text() or locator.describe()
        return f"{self.action}: {getattr(self, self.action)}"


def _one_or_many_locators(data: Any) -> Any:
    return [data] if isinstance(data, (str, dict)) else data


class Route(StrictModel):
    """One way to the entry, tried in the order the profile lists routes."""

    name: str
    start: str = Field("/", description="Path or URL the route starts from.")
    steps: list[Step] = Field(default_factory=list)
    target: list[Locator] = Field(
        min_length=1, description="Acceptable entries; the first visible one wins."
    )

    _wrap_target = field_validator("target", mode="before")(_one_or_many_locators)


class Rule(StrictModel):
    """One observable fact about the current page. Exactly one key."""

    url_contains: str | None = None
    url_not_contains: str | None = None
    url_regex: str | None = None
    present: Locator | None = Field(None, description="This element is visible.")
    absent: Locator | None = Field(None, description="This element is not visible.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Rule:
        keys = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(keys) != 1:
            raise ValueError(
                "a rule needs exactly one of url_contains, url_not_contains, url_regex, "
                f"present, absent (found: {', '.join(keys) or 'none'})"
            )
        if self.url_regex is not None:
            try:
                re.compile(self.url_regex)
            except re.error as exc:
                raise ValueError(f"invalid regex {self.url_regex!r}: {exc}") from exc
        return self


class LoginForm(StrictModel):
    """The login form, for headless ``login --username`` (tests and scripted use)."""

    username: Locator
    password: Locator
    submit: Locator


class Login(StrictModel):
    url: str = Field(description="The login page, path or URL.")
    check_url: str = Field("/", description="A page that shows whether the session is valid.")
    logged_in: list[Rule] = Field(default_factory=list, description="All must hold when logged in.")
    logged_out: list[Rule] = Field(
        default_factory=list, description="Any one holding means logged out."
    )
    form: LoginForm | None = None

    @model_validator(mode="after")
    def _has_rules(self) -> Login:
        if not self.logged_in and not self.logged_out:
            raise ValueError("login needs at least one rule in 'logged_in' or 'logged_out'")
        return self


class AutoRenew(StrictModel):
    """Elements whose presence reads the auto-renew status on the entry's page."""

    on: list[Locator] = Field(default_factory=list)
    off: list[Locator] = Field(default_factory=list)

    _wrap = field_validator("on", "off", mode="before")(_one_or_many_locators)


class Meta(BaseModel):
    """Free-form metadata. Known keys are typed; others are kept as written."""

    model_config = ConfigDict(extra="allow", frozen=True)

    maintainer: str | None = None
    last_verified: date | None = None
    notes: str | None = None
    homepage: str | None = None


class AllowRequest(StrictModel):
    """A request the read-only network lets through, for a site that reads data with POST."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(
        description="HTTP method of the request."
    )
    url: str = Field(description="Regular expression searched in the request URL.")

    @field_validator("url")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


class Profile(StrictModel):
    schema_version: Literal[1] = Field(description="Always 1 for this release.")
    id: str = Field(pattern=PROFILE_ID_PATTERN, description="Equals the file name without .yaml.")
    name: str
    base_url: str = Field(description="Where the platform lives, e.g. https://www.example.com/")
    allowed_domains: list[str] = Field(
        default_factory=list,
        description="Extra hosts navigation may reach; '*.example.com' allows subdomains. "
        "The base_url host is always allowed.",
    )
    login: Login
    routes: list[Route] = Field(min_length=1)
    auto_renew: AutoRenew | None = None
    challenge: list[Rule] = Field(
        default_factory=list,
        description="Pages that need a human (captcha, slider, SMS code); any one holding.",
    )
    discovery_fallback: bool = Field(
        False,
        description="When every route fails (the site changed), search for the entry the way "
        "discovery does instead of reporting not found.",
    )
    mask: list[str] = Field(
        default_factory=list, description="CSS selectors blanked in screenshots."
    )
    allow_requests: list[AllowRequest] = Field(
        default_factory=list,
        description="Requests let through the read-only network (locating and capturing send "
        "only GET, HEAD and OPTIONS otherwise), e.g. a site that reads its order list with POST. "
        "Also lets a GET page whose URL looks like an action be opened.",
    )
    meta: Meta = Field(default_factory=Meta)
    evidence: Evidence | None = Field(
        None, description="Pages 'cancelscout capture' fixes as evidence (promo, agreement, …)."
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"expected an http(s) URL like https://www.example.com/, got {value!r}"
            )
        return value

    @field_validator("allowed_domains")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if not _HOST.fullmatch(host.lower()):
                raise ValueError(
                    f"expected a host name like shop.example.com or *.example.com, got {host!r}"
                )
        return [h.lower() for h in value]

    def hosts(self) -> list[str]:
        """Every host navigation may reach: the base URL's host first, then allowed_domains."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        return list(dict.fromkeys([host, *self.allowed_domains]))

    def at(self, base_url: str | None) -> Profile:
        """The profile moved to a mirror address: ``base_url`` replaced, its host allowed."""
        if not base_url:
            return self
        host = (urlsplit(base_url).hostname or "").lower()
        domains = list(dict.fromkeys([*self.allowed_domains, host]))
        return self.model_copy(update={"base_url": base_url, "allowed_domains": domains})
