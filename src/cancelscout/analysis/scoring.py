"""The keyword model (data/keywords.yaml) applied to candidates: entry, way, or neither.

A weighted score in the spirit of Mathur et al. 2019 (text first, then attributes, then
affordances): way-finding words carry weights, attribute hints (href, id, class) add a little,
menu affordances (hidden children, aria-haspopup) add a little, long texts are discounted
because a paragraph that mentions 会员中心 is not a menu item.
"""

from __future__ import annotations

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.safety import ClickRules, labels_of, submits, toggles
from cancelscout.data import keywords
from cancelscout.textnorm import fold_label, normalize

TARGET_MAX_CHARS = 24  # an entry is a control, not a sentence that mentions cancelling
SHORT_WORD_MAX_LABEL = 8  # "我的", "设置", "更多" only count on short labels
MEMBERSHIP_CANCEL = " (about the membership)"  # marks a target found by structure, not phrase


class KeywordModel:
    def __init__(self) -> None:
        data = keywords()
        self.targets = [normalize(w) for w in data["target"]]
        self.switch_labels = [normalize(w) for w in data["switch_labels"]]
        self.wayfinding = sorted(
            ((normalize(str(w)), float(v)) for w, v in data["wayfinding"].items()),
            key=lambda item: -len(item[0]),
        )
        self.hints = {str(w): float(v) for w, v in data["hints"].items()}
        self.detours = {normalize(str(w)): float(v) for w, v in data["detours"].items()}
        self.alternatives = [normalize(w) for w in data["alternatives"]]
        self.support = [normalize(w) for w in data["support"]]
        self.guard = ClickRules()

    def _texts(self, candidate: Candidate) -> list[str]:
        info = candidate.info
        return [
            normalize(str(v)) for v in (info.get("text"), info.get("aria"), info.get("title")) if v
        ]

    def target_word(self, candidate: Candidate) -> str | None:
        """The target phrase this control carries, or 'switch …' for an auto-renew switch."""
        for text in self._texts(candidate):
            if len(text) > TARGET_MAX_CHARS:
                continue
            for word in self.targets:
                if word in text:
                    return word
        info = candidate.info
        if info.get("role") in ("switch", "checkbox") and info.get("checked"):
            context = normalize(f"{candidate.name} {info.get('labelText', '')}")
            for word in self.switch_labels:
                if word in context:
                    return f"switch {word} (on)"
        return self.membership_cancel(candidate)

    def membership_cancel(self, candidate: Candidate) -> str | None:
        """A control that says cancel / close / stop about the membership, in any wording
        ("Cancel" in a "My Memberships" card): a target, never a way forward. Switches, form
        submits and never-touch wordings (取消订单, 退出登录) are not entries: left alone."""
        info = candidate.info
        labels = labels_of(info)
        if not labels or any(len(fold_label(label)) > TARGET_MAX_CHARS for label in labels):
            return None
        verb = self.guard.cancel_verb(labels)
        if verb is None or not self.guard.about_membership([*labels, str(info.get("context"))]):
            return None
        if toggles(info) or submits(info) or self.guard.never_touch(labels):
            return None
        return f"{verb}{MEMBERSHIP_CANCEL}"

    def matches_any(self, candidate: Candidate, words: list[str]) -> bool:
        return any(w in t for t in self._texts(candidate) if len(t) <= 30 for w in words)

    def is_alternative(self, candidate: Candidate) -> bool:
        return self.matches_any(candidate, self.alternatives)

    def is_support(self, candidate: Candidate) -> bool:
        return self.matches_any(candidate, self.support)

    def safe_to_click(self, candidate: Candidate) -> bool:
        return self.guard.judge(candidate.info).allowed

    def wayfinding_score(self, candidate: Candidate) -> tuple[float, str]:
        texts = self._texts(candidate)
        best, reason = 0.0, ""
        for text in texts:
            for word, weight in self.wayfinding:
                if word not in text:
                    continue
                if len(word) <= 2 and len(text) > SHORT_WORD_MAX_LABEL:
                    continue
                score = weight if len(text) <= 20 else weight * 0.3
                if score > best:
                    best, reason = score, f"'{word}'"
        if best == 0:
            return 0.0, ""  # attributes and affordances refine a text match, never replace it
        for word, penalty in self.detours.items():
            if any(word in text for text in texts):
                best -= penalty
                reason += f" -{word}"
                break
        attrs = " ".join(str(candidate.info.get(k) or "") for k in ("href", "id", "cls")).lower()
        for hint, weight in self.hints.items():
            if hint in attrs:
                best += weight
                reason += f" +{hint}"
                break
        if candidate.info.get("hiddenChildren") or candidate.info.get("hasPopup"):
            best += 4
            reason += " +menu"
        return best, reason.strip()

    def score(self, candidate: Candidate) -> Candidate:
        candidate.score, candidate.reason = self.wayfinding_score(candidate)
        return candidate
