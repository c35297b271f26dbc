"""Human-facing strings in Chinese and English (summary and report)."""

from __future__ import annotations

import locale
import os

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "取消入口取证报告",
        "platform": "平台",
        "status": "结果",
        "found": "已找到取消入口",
        "not_found": "未找到取消入口",
        "login_required": "需要重新登录",
        "needs_human": "需要人工完成验证",
        "error": "运行出错",
        "interrupted": "运行被中断",
        "entry": "入口",
        "breadcrumb": "路径",
        "clicks": "点击次数",
        "hovers": "悬停次数",
        "pages": "访问页面数",
        "auto_renew": "自动续费状态",
        "on": "已开启",
        "off": "已关闭",
        "unknown": "未知",
        "route": "成功路线",
        "annotated": "入口标注截图",
        "timeline": "操作时间线",
        "time": "时间 (UTC)",
        "action": "动作",
        "label": "说明",
        "url": "网址",
        "outcome": "结果",
        "files": "证据文件索引",
        "file": "文件",
        "report_note": "本报告、trace.zip 与 run.log 的 SHA-256 记录在 manifest.json 中。"
        "步骤记录 steps.jsonl 逐条以哈希链相连。",
        "safety": "安全承诺：本工具只定位入口，从未点击取消、确认、支付、续费或购买按钮；"
        "会话 Cookie 与密码不会写入证据包。",
        "masked": "已遮盖的敏感元素数",
        "redacted": "已遮盖的个人信息",
        "pii_phone": "手机号",
        "pii_id_card": "身份证号",
        "pii_bank_card": "银行卡号",
        "pii_email": "邮箱",
        "none": "无",
        "bundle": "证据包",
        "report": "报告",
        "screenshot": "标注截图",
        "duration": "用时",
        "error_msg": "错误信息",
        "blocked": "被拦截的操作",
        "dialogs": "已关闭的弹窗",
        "started": "开始时间",
        "fix_login": "请先运行",
        "friction": "取消难度",
        "grade_easy": "容易",
        "grade_medium": "中等",
        "grade_hard": "困难",
        "grade_impossible": "无法自助取消",
        "font_size": "入口字号",
        "contrast": "入口文字对比度",
        "loudest": "续费/支付按钮面积是入口的",
        "explored": "探索地图",
        "explored_note": "自动探索时访问过的每个页面和菜单（缩进表示从哪一步到达），"
        "以及促使继续探索的候选项得分。",
        "support": "客服渠道与其他途径",
        "alternative": "其他途径（未点击）",
        "failed_actions": "失败的操作",
        "failed_note": "这些操作没有成功（被遮挡、元素消失或超时），探索绕过它们继续进行。",
        "untried": "未尝试的路径",
        "untried_note": "探索结束时尚未尝试的候选路径（得分）。",
    },
    "en": {
        "title": "Cancel-entry evidence report",
        "platform": "Platform",
        "status": "Outcome",
        "found": "Cancel entry found",
        "not_found": "No cancel entry found",
        "login_required": "Login required",
        "needs_human": "A human check is needed",
        "error": "Run failed",
        "interrupted": "Run interrupted",
        "entry": "Entry",
        "breadcrumb": "Path",
        "clicks": "Clicks",
        "hovers": "Hovers",
        "pages": "Pages visited",
        "auto_renew": "Auto-renew",
        "on": "on",
        "off": "off",
        "unknown": "unknown",
        "route": "Route taken",
        "annotated": "Entry, outlined",
        "timeline": "Timeline",
        "time": "Time (UTC)",
        "action": "Action",
        "label": "Label",
        "url": "URL",
        "outcome": "Outcome",
        "files": "Evidence files",
        "file": "File",
        "report_note": "The SHA-256 of this report, trace.zip and run.log are in manifest.json. "
        "Each record of steps.jsonl is hash-chained to the one before it.",
        "safety": "Safety promise: the tool only located the entry; it never clicked a cancel, "
        "confirm, pay, renew or purchase control. Session cookies and passwords are "
        "never written to the bundle.",
        "masked": "Sensitive elements masked",
        "redacted": "Personal data masked",
        "pii_phone": "phone numbers",
        "pii_id_card": "ID numbers",
        "pii_bank_card": "bank card numbers",
        "pii_email": "e-mail addresses",
        "none": "none",
        "bundle": "Bundle",
        "report": "Report",
        "screenshot": "Annotated screenshot",
        "duration": "Duration",
        "error_msg": "Error",
        "blocked": "Blocked actions",
        "dialogs": "Dialogs dismissed",
        "started": "Started",
        "fix_login": "Run first",
        "friction": "How hard it is",
        "grade_easy": "easy",
        "grade_medium": "medium",
        "grade_hard": "hard",
        "grade_impossible": "impossible (no self-service)",
        "font_size": "Entry font size",
        "contrast": "Entry text contrast",
        "loudest": "Renew/pay button area vs the entry",
        "explored": "Explored map",
        "explored_note": "Every page and menu discovery explored (indented under the step that "
        "reached it), with the candidate scores that led it on.",
        "support": "Customer service and other routes",
        "alternative": "Other route (not clicked)",
        "failed_actions": "Failed actions",
        "failed_note": "These actions did not succeed (intercepted, detached or timed out); "
        "the search went on around them.",
        "untried": "Ways left untried",
        "untried_note": "Ways the search had found but not tried when it stopped (score).",
    },
}
LANGS = tuple(STRINGS)


def terminal_lang() -> str:
    """'zh' when the user's locale is Chinese, else 'en'."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    code = locale.getlocale()[0] or ""
    return "zh" if code.lower().startswith("zh") else "en"


def strings(lang: str) -> dict[str, str]:
    return STRINGS.get(lang, STRINGS["zh"])
