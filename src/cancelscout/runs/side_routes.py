"""Other ways out met on the way: account deletion (alternatives) and support routes.

Both modes note them on every page they read, so a run that ends ``not_found`` still tells
the user where the nearest way out was (a 注销 under 账号注销, a 工单 link, a QQ number).
"""

from __future__ import annotations

from playwright.sync_api import Page

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.page_text import service_numbers
from cancelscout.analysis.scoring import KeywordModel, context_texts
from cancelscout.browser.page_signals import deep_text
from cancelscout.result import LocateResult


def note_side_routes(
    page: Page, candidates: list[Candidate], result: LocateResult, model: KeywordModel
) -> None:
    known = {
        (item["text"], item.get("href", "")) for item in [*result.alternatives, *result.support]
    }
    for candidate in candidates:
        entry = {
            "text": candidate.label,
            "href": str(candidate.info.get("href") or ""),
            "page_url": page.url,
        }
        if (entry["text"], entry["href"]) in known:
            continue
        if model.is_alternative(candidate):
            where = " / ".join(context_texts(candidate)[:1])
            if where:
                entry["context"] = where
            result.alternatives.append(entry)
            known.add((entry["text"], entry["href"]))
        elif model.is_support(candidate):
            result.support.append(entry)
            known.add((entry["text"], entry["href"]))
    for number in service_numbers(deep_text(page)):
        if (number, "") not in known:
            result.support.append({"text": number, "href": "", "page_url": page.url})
            known.add((number, ""))
