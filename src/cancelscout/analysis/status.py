"""Read membership-status facts (auto-renew, next charge date, expiry, renewal price) from text.

Each fact keeps the line it was read from, so a letter can quote the page, not paraphrase it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cancelscout.analysis.orders import clean_amount, normalize_date

_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_SEP = r"[\s:：]*"
_AUTO = r"自动(?:续费|续订|扣费|扣款)"
_ON = ("已开启", "已开通", "开启中", "已启用", "已签约", "开启", "开通中")
_OFF = ("已关闭", "未开启", "未开通", "已取消", "已解约", "未签约", "关闭")
_STATE = "|".join(sorted((*_ON, *_OFF), key=len, reverse=True))
PATTERNS: dict[str, re.Pattern[str]] = {
    "auto_renew": re.compile(rf"{_AUTO}(?:状态|功能)?{_SEP}(?P<value>{_STATE})"),
    "next_charge": re.compile(
        rf"(?:下次扣费|下次续费|下次扣款|下一次扣费|下期扣费|续费日期|扣费日期|下次自动续费)"
        rf"(?:日期|时间)?{_SEP}(?P<value>{_DATE})"
    ),
    "expires": re.compile(
        rf"(?:到期时间|到期日期|有效期至|到期日|会员到期)(?:时间|日期)?{_SEP}(?P<value>{_DATE})"
    ),
    "renew_price": re.compile(
        rf"(?:续费金额|续费价格|自动续费金额|扣费金额){_SEP}(?P<value>[¥￥]?\s*\d[\d,]*(?:\.\d{{1,2}})?\s*元?)"
    ),
}


@dataclass(frozen=True)
class Fact:
    name: str  # auto_renew | next_charge | expires | renew_price
    value: str  # on/off for auto_renew, YYYY-MM-DD for dates, the amount as shown for prices
    line: str  # the page text the value was read from (label and value)


def _value(name: str, raw: str) -> str | None:
    if name == "auto_renew":
        return "on" if raw in _ON else "off"
    if name in ("next_charge", "expires"):
        return normalize_date(raw)
    return clean_amount(raw)


def read_status(text: str) -> list[Fact]:
    """The first occurrence of each fact in ``text``."""
    facts: list[Fact] = []
    for name, pattern in PATTERNS.items():
        match = pattern.search(text)
        if match is None:
            continue
        value = _value(name, match.group("value"))
        if value is None:
            continue
        facts.append(Fact(name, value, " ".join(match.group(0).split())))
    return facts
