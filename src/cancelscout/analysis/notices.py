"""Is a blocking layer a notice to dismiss (公告 with 我知道了) rather than a question to answer?

Platforms open a modal announcement over every page; until it is closed nothing under it can
be clicked. Closing it is safe only when the layer asks nothing: every control it offers only
closes it (我知道了 / 关闭 / × / OK), and its text is not a confirmation of a cancel, a payment
or a renewal. Anything else (two different choices, a form, a price) is left alone and the
click it intercepts is reported as failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cancelscout.analysis.safety import ClickRules
from cancelscout.analysis.urls import action_in_url
from cancelscout.data import keywords
from cancelscout.textnorm import fold_label

CLOSE_GLYPHS = frozenset({"×", "✕", "✖", "x", "╳"})
NOTICE_TEXT_MAX = 600  # an announcement, not a page


@dataclass(frozen=True)
class NoticeChoice:
    index: int  # which control of the layer to click
    label: str


class NoticeRules:
    def __init__(self) -> None:
        self._dismiss = {fold_label(w) for w in keywords()["dismiss"]}
        self._rules = ClickRules()

    def is_dismiss(self, control: dict[str, Any]) -> bool:
        labels = [fold_label(str(control.get(k) or "")) for k in ("text", "aria", "title")]
        labels = [label for label in labels if label]
        if control.get("submits") or action_in_url(str(control.get("href") or "")):
            return False
        if not labels:
            return bool(control.get("closeClass"))  # an empty .close icon in the corner
        return all(label in self._dismiss or label in CLOSE_GLYPHS for label in labels)

    def choice(self, layer: dict[str, Any]) -> NoticeChoice | None:
        """The control that closes ``layer``, or None when the layer is not a plain notice."""
        controls: list[dict[str, Any]] = layer.get("controls") or []
        text = str(layer.get("text") or "")
        if not controls or len(text) > NOTICE_TEXT_MAX or layer.get("hasForm"):
            return None
        if not all(self.is_dismiss(c) for c in controls):
            return None  # a real choice: 取消 / 确定, 去看看 / 关闭 …
        words = [text]
        if self._rules.cancel_verb(words) and self._rules.about_membership(words):
            # "确定要关闭自动续费吗？ [关闭]": the close button may well be the confirmation.
            return None
        asks = any(mark in text for mark in ("?", "？", "吗"))
        if asks and self._rules.never_touch([text]):
            return None  # "确认购买吗？": a question about an act is never a notice
        named = [i for i, c in enumerate(controls) if str(c.get("text") or "").strip()]
        index = named[0] if named else 0
        control = controls[index]
        label = str(control.get("text") or control.get("aria") or control.get("title") or "×")
        return NoticeChoice(index, label.strip())
