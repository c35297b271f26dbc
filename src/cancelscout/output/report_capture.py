"""The capture sections of ``report.html``: captured pages, promises, flagged clauses, orders.

Built from the bundle's own step records (the ``capture`` records and the last
``capture_summary``), so the report shows exactly what the chained records hold.
"""

from __future__ import annotations

from typing import Any

from cancelscout.analysis.clauses import default_rules
from cancelscout.integrity.bundle import EvidenceBundle
from cancelscout.integrity.bundle_read import capture_of_records

KIND_NAMES = {
    "zh": {
        "promo": "宣传页",
        "agreement": "会员协议",
        "orders": "购买记录",
        "status": "会员状态",
        "page": "页面",
    },
    "en": {
        "promo": "promotion",
        "agreement": "agreement",
        "orders": "orders",
        "status": "status",
        "page": "page",
    },
}

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "capture_title": "会员证据采集报告",
        "captured": "已采集证据页面",
        "cap_pages": "采集的页面",
        "cap_kind": "类型",
        "cap_title": "标题",
        "cap_files": "文件",
        "cap_status": "会员状态",
        "cap_next_charge": "下次扣费",
        "cap_fact": "项目",
        "cap_value": "值",
        "cap_source": "页面原文",
        "cap_promises": "宣传承诺",
        "cap_phrase": "承诺词",
        "cap_sentence": "所在句子",
        "cap_where": "位置",
        "cap_clauses": "可质疑的条款",
        "cap_grade": "协议评级",
        "cap_severity_high": "严重",
        "cap_severity_medium": "较重",
        "cap_severity_low": "轻微",
        "cap_basis": "法律依据",
        "cap_why": "为什么值得质疑",
        "cap_by_model": "由条款模型（第二读者）判定，未命中任何条款族的规则：请人工核对原文",
        "cap_orders": "购买记录",
        "cap_order_no": "订单号",
        "cap_date": "日期",
        "cap_item": "商品",
        "cap_amount": "金额",
        "cap_payment": "支付方式",
        "cap_membership": "会员购买",
        "cap_none": "未发现",
        "cap_no_grade": "未采集到协议或宣传文字，无法评级",
        "cap_note": "条款标记由规则库（data/clauses.yaml）与条款模型自动匹配，"
        "仅供参考，不构成法律意见。",
        "fact_auto_renew": "自动续费",
        "fact_next_charge": "下次扣费日期",
        "fact_expires": "到期时间",
        "fact_renew_price": "续费金额",
        "fact_level": "会员等级",
    },
    "en": {
        "capture_title": "Membership evidence report",
        "captured": "Evidence pages captured",
        "cap_pages": "Captured pages",
        "cap_kind": "Kind",
        "cap_title": "Title",
        "cap_files": "Files",
        "cap_status": "Membership status",
        "cap_next_charge": "Next charge",
        "cap_fact": "Fact",
        "cap_value": "Value",
        "cap_source": "Page text",
        "cap_promises": "Promises",
        "cap_phrase": "Phrase",
        "cap_sentence": "Sentence",
        "cap_where": "Where",
        "cap_clauses": "Challengeable clauses",
        "cap_grade": "Agreement grade",
        "cap_severity_high": "serious",
        "cap_severity_medium": "medium",
        "cap_severity_low": "minor",
        "cap_basis": "Legal basis",
        "cap_why": "Why it matters",
        "cap_by_model": "Flagged by the clause model (a second reader); no family's rule matched: "
        "check the sentence yourself",
        "cap_orders": "Purchase records",
        "cap_order_no": "Order no.",
        "cap_date": "Date",
        "cap_item": "Item",
        "cap_amount": "Amount",
        "cap_payment": "Payment",
        "cap_membership": "Membership",
        "cap_none": "none found",
        "cap_no_grade": "No agreement or promotion text captured: no grade",
        "cap_note": "Clauses are flagged by the rule set (data/clauses.yaml) and the clause "
        "model: a pointer, not legal advice.",
        "fact_auto_renew": "Auto-renew",
        "fact_next_charge": "Next charge date",
        "fact_expires": "Expires",
        "fact_renew_price": "Renewal price",
        "fact_level": "Level",
    },
}


def capture_strings(lang: str, mode: str) -> dict[str, str]:
    table = dict(STRINGS.get(lang, STRINGS["zh"]))
    if mode == "capture":
        table["title"] = table["capture_title"]  # the report of a capture run, not of a locate
    return table


def image_src(bundle: EvidenceBundle, name: str) -> str | None:
    """The bundle's own file, by its path from report.html (which sits at the bundle's root):
    the report shows the very bytes the manifest hashes, and adds none of its own."""
    return name if (bundle.root / name).is_file() else None


def capture_section(bundle: EvidenceBundle, lang: str) -> dict[str, Any] | None:
    capture = capture_of_records(bundle.records)
    if capture is None:
        return None
    kinds = KIND_NAMES.get(lang, KIND_NAMES["zh"])
    laws = default_rules().laws
    hashes = {
        a["name"]: a["sha256"] for record in bundle.records for a in record.get("artifacts", [])
    }
    pages = []
    for page in capture.pages:
        image = page.annotated or page.screenshot
        files = [
            {"name": name, "sha256": hashes.get(name, "")}
            for name in (page.screenshot, page.pdf, page.text, page.dom, page.annotated)
            if name
        ]
        pages.append(
            {
                **page.model_dump(),
                "kind_name": kinds.get(page.kind, page.kind),
                "files": files,
                "image_name": image,
                "image": image_src(bundle, image) if image else None,
            }
        )
    clauses = [
        {
            **clause.model_dump(),
            "laws": [
                {"name": laws[b].name, "quote": laws[b].quote, "citation": laws[b].citation}
                for b in clause.basis
            ],
            "crop_src": image_src(bundle, clause.crop) if clause.crop else None,
        }
        for clause in capture.clauses
    ]
    return {
        "result": capture,
        "pages": pages,
        "clauses": clauses,
        "promises": [p.model_dump() for p in capture.promises],
        "orders": [o.model_dump() for o in capture.orders],
        "facts": [f.model_dump() for f in capture.status_facts],
    }
