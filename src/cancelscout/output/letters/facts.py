"""What only the user knows, given with ``letter --facts FILE`` (YAML).

Every field is optional: a missing one stays a clearly marked placeholder in the letter. These
are the user's own statements; the letter labels the ones that are claims (本人陈述) so a reader
can tell them from what the bundle proves.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cancelscout.errors import UsageError
from cancelscout.profiles.yamlsafe import read_yaml


class Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, description="Your name (申请人 / 投诉人).")
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    account: str | None = Field(None, description="Your account name on the platform.")
    company: str | None = Field(None, description="The operator's company name (被投诉方).")
    company_address: str | None = None
    company_contact: str | None = Field(None, description="The operator's phone / e-mail.")
    paid_amount: str | None = Field(None, description="Total paid for the membership (元).")
    refund_amount: str | None = Field(None, description="The refund you ask for (元).")
    mismatch: list[str] = Field(
        default_factory=list,
        description="How the service differs from what was promised (your own statement).",
    )
    contact_history: list[str] = Field(
        default_factory=list, description="Earlier contacts with the platform (date, channel)."
    )
    request_sent: str | None = Field(
        None, description="When and how the written request was sent (for the complaint)."
    )
    date: str | None = Field(None, description="The letter's date.")


def load_facts(path: Path | None) -> Facts:
    if path is None:
        return Facts()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read --facts {path}: {exc.strerror}") from None
    data = read_yaml(raw, str(path)).data or {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of keys (name, phone, …).")
    # YAML turns 2025-11-27 into a date; a letter wants the text.
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
    for key in ("paid_amount", "refund_amount"):
        if isinstance(data.get(key), (int, float)):  # 30.00 read as a number: money has cents
            data[key] = f"{data[key]:.2f}"
    if isinstance(data.get("phone"), int):
        data["phone"] = str(data["phone"])
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        allowed = ", ".join(Facts.model_fields)
        raise UsageError(f"{path}: {where}: {first['msg']} (allowed keys: {allowed}).") from None
