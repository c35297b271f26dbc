"""The safety judgement of a control, from its description alone (no browser).

Structure first, words second. A control is refused when what it *is* makes a click an act:

1. it toggles a setting: a switch, a checkbox or radio, anything with ``aria-checked`` or
   ``aria-pressed``, or a label bound to a checkbox;
2. it submits a form (a submit button or image input, a button whose ``form`` attribute points
   at a form elsewhere, or one with a ``formaction``);
3. its link opens an action URL (``/member/cancel.php``, ``?act=quxiao`` — see ``urls.py``);

and only then when what it *says* is dangerous:

4. any of its labels — text, accessible name, ``aria-label``, ``aria-labelledby`` texts,
   ``<label>`` texts, ``alt`` of images inside, ``title``, ``value`` — holds a never-touch word
   or a target phrase of ``data/keywords.yaml``, compared after :func:`fold_label` (so "确 定"
   and "立即续\\u200b费" are caught);
5. it says cancel / close / stop (in any of the ``cancel_verbs``) about the membership (a
   ``membership_words`` word in its labels or in the heading of the card it sits in): a bare
   "Cancel" in a "My Membership" card is the entry or a confirmation, never a way forward.

Every rule is applied to the element that receives the click and to the nearest interactive
element around it (``acting``): a click on an icon inside a submit button is a submit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cancelscout.analysis.urls import action_in_url
from cancelscout.data import keywords
from cancelscout.textnorm import fold_label

LABEL_KEYS = ("text", "name", "aria", "labelledby", "labels", "alts", "title", "value")
# An enclosing element is judged by its words only when it reads like one control, not like a
# container of many (a menu, a card with an onclick).
CONTROL_TEXT_MAX = 40
TOGGLE_ROLES = ("switch", "checkbox", "radio", "menuitemcheckbox", "menuitemradio", "option")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""


def labels_of(info: dict[str, Any]) -> list[str]:
    """Every text the control is known by, as it reads (not folded)."""
    found: list[str] = []
    for key in LABEL_KEYS:
        value = info.get(key)
        for item in value if isinstance(value, list) else [value]:
            if item and str(item).strip():
                found.append(str(item).strip())
    return found


def toggles(info: dict[str, Any]) -> bool:
    tag, kind = info.get("tag"), info.get("type")
    return bool(
        info.get("toggles")
        or info.get("role") in TOGGLE_ROLES
        or (tag == "input" and kind in ("checkbox", "radio"))
    )


def submits(info: dict[str, Any]) -> bool:
    if "submits" in info:
        return bool(info["submits"])
    tag, kind = info.get("tag"), info.get("type")
    return bool(
        (tag == "button" and kind in ("", "submit") and info.get("inForm"))
        or (tag == "input" and kind in ("submit", "image"))
    )


class ClickRules:
    """Which controls must never be clicked, judged from what the element is and says."""

    def __init__(self) -> None:
        data = keywords()
        words = data["never_touch"]
        # An entry is never clicked either: every target phrase of the keyword model is refused.
        self._contains = [fold_label(w) for w in [*words["contains"], *data["target"]]]
        self._exact = {fold_label(w) for w in words["exact"]}
        self._cancel_verbs = [fold_label(w) for w in data["cancel_verbs"]]
        self._membership = [fold_label(w) for w in data["membership_words"]]

    def judge(self, info: dict[str, Any]) -> Verdict:
        """Allowed, or refused with the reason, for a control described by ``info``."""
        verdict = self._judge_one(info, words=True)
        acting = info.get("acting")
        if verdict.allowed and isinstance(acting, dict):
            short = len(str(acting.get("text") or "")) <= CONTROL_TEXT_MAX
            verdict = self._judge_one(acting, words=short)
        return verdict

    def _judge_one(self, info: dict[str, Any], *, words: bool) -> Verdict:
        if toggles(info):
            return Verdict(False, "it toggles a setting (a switch or checkbox)")
        if submits(info):
            return Verdict(False, "it submits a form")
        for url in (info.get("href"), info.get("formAction")):
            word = action_in_url(str(url)) if url else None
            if word:
                return Verdict(False, f"it opens an action URL ({word!r} in {url})")
        if not words:
            return Verdict(True)
        labels = labels_of(info)
        reason = self.never_touch(labels)
        if reason:
            return Verdict(False, reason)
        verb = self.cancel_verb(labels)
        if verb and self.about_membership([*labels, str(info.get("context") or "")]):
            return Verdict(False, f"it says '{verb}' about the membership")
        return Verdict(True)

    def never_touch(self, labels: list[str]) -> str | None:
        """Why one of ``labels`` names a never-touch control or an entry (None: none does)."""
        for label in labels:
            folded = fold_label(label)
            if folded in self._exact:
                return f"'{label}' is a never-touch control"
            for word in self._contains:
                if word in folded:
                    return f"'{label}' contains never-touch word '{word}'"
        return None

    def never_touch_phrase(self, labels: list[str]) -> str | None:
        """Like :meth:`never_touch`, but only the phrases a label contains (取消订单, 退出登录),
        not the bare words that are never-touch only as a whole label (退出, 续费)."""
        for label in labels:
            folded = fold_label(label)
            for word in self._contains:
                if word in folded:
                    return f"'{label}' contains never-touch word '{word}'"
        return None

    def cancel_verb(self, labels: list[str]) -> str | None:
        """The cancel / close / stop verb one of ``labels`` carries, if any."""
        for label in labels:
            folded = fold_label(label)
            for verb in self._cancel_verbs:
                if verb in folded:
                    return verb
        return None

    def about_membership(self, texts: list[str]) -> bool:
        return any(word in fold_label(text) for text in texts for word in self._membership)
