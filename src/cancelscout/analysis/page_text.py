"""What a page's text says, read without a browser: the auto-renew state and the
customer-service numbers shown in it."""

from __future__ import annotations

import re

SERVICE_NUMBERS = (
    (re.compile(r"(?:QQ|qq)[：:\s]*([1-9][0-9]{4,11})"), "QQ"),
    (re.compile(r"((?:400|800)[- ]?[0-9]{3}[- ]?[0-9]{4})"), "phone"),
)
AUTO_RENEW = r"自[动動][续續][费費](?:[状狀][态態])?[：:]\s*"
RENEW_STATUS = [
    (re.compile(AUTO_RENEW + r"(?:已)?(?:开启|開啟|开通|開通)"), "on"),
    (re.compile(AUTO_RENEW + r"(?:已关闭|已關閉|未开启|未開啟|关闭|關閉)"), "off"),
    (re.compile(r"auto-?renew(?:al)?\s*:\s*on\b", re.I), "on"),
    (re.compile(r"auto-?renew(?:al)?\s*:\s*off\b", re.I), "off"),
]


def auto_renew_in_text(text: str) -> tuple[str, str | None]:
    """('on' | 'off' | 'unknown', the words that said so)."""
    for pattern, state in RENEW_STATUS:
        match = pattern.search(text)
        if match:
            return state, match.group(0)
    return "unknown", None


def service_numbers(text: str) -> list[str]:
    """Customer-service QQ and 400/800 numbers shown in ``text``, as 'QQ 123…' / 'phone 400…'."""
    return [
        f"{kind} {number}" for pattern, kind in SERVICE_NUMBERS for number in pattern.findall(text)
    ]
