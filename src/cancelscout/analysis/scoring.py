"""The keyword model (data/keywords.yaml) applied to candidates: entry, way, or neither.

Each candidate is read as a pair (control, context), structure first:

* **where it sits** — its landmark (banner, navigation, main, footer, dialog), the heading of
  its card, its row label, its aria-describedby: a generic "管理" / "›" / "Cancel" means what
  its context means; a question in the footer is a help article, never the entry;
* **what shape it has** — the user's avatar or a popup trigger at the right of the banner is
  the way into the account area, a ☰ button with aria-expanded opens the site's drawer;
* **what it says** — the way-finding words, weighted (in the spirit of Mathur et al. 2019),
  refined by attribute hints and menu affordances, discounted on long texts.
"""

from __future__ import annotations

from cancelscout.analysis.controls import Candidate
from cancelscout.analysis.safety import ClickRules, labels_of, submits, toggles
from cancelscout.data import keywords
from cancelscout.textnorm import fold_label, normalize

TARGET_MAX_CHARS = 24  # an entry is a control, not a sentence that mentions cancelling
SHORT_WORD_MAX_LABEL = 8  # "我的", "设置", "更多" only count on short labels
MEMBERSHIP_CANCEL = " (about the membership)"  # marks a target found by structure, not phrase
GENERIC_MAX_CHARS = 4  # "›", "管理", "Edit": a label this short says little on its own
CONTEXT_WEIGHT = 0.8  # a generic control is worth most of what its context promises
ACCOUNT_MENU = 18.0  # a popup trigger or avatar at the right of the banner
MENU_BUTTON = 12.0  # a ☰ / icon button that opens a drawer or menu
RIGHT_SIDE = 0.55  # share of the viewport width past which the banner's account area sits
SITE_CHROME = ("banner", "navigation", "contentinfo", "menu", "menubar")
FOOTER_FACTOR = 0.5
HEADER_MAX_Y = 160  # px from the top: a navigation bar this high is the site header
TOP_STRIP_Y = 100  # px: without landmarks, the top strip of a page is its header
MENU_GLYPHS = ("☰", "≡", "⋮", "⋯", "…", "...", "···")


def context_texts(candidate: Candidate) -> list[str]:
    """What the place of a control says: card heading, row label, aria-describedby. Site
    chrome (banner, navigation, footer) has no context of its own: the page heading above a
    sidebar link says nothing about the link."""
    info = candidate.info
    if info.get("landmark") in SITE_CHROME:
        return []
    return [
        normalize(str(v))
        for v in (info.get("context"), info.get("rowLabel"), info.get("describedBy"))
        if v
    ]


def in_header(info: dict[str, object]) -> bool:
    """The site's header: the banner landmark, a navigation bar at the top of the page, or
    (on pages without landmarks) anything in the top strip."""
    landmark = info.get("landmark")
    y = float(str(info.get("y") or 0))
    return (
        landmark == "banner"
        or (landmark == "navigation" and y < HEADER_MAX_Y)
        or (not landmark and y < TOP_STRIP_Y)
    )


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
        self.alternative_verbs = [fold_label(w) for w in data["alternative_verbs"]]
        self.account_words = [fold_label(w) for w in data["account_words"]]
        self.generic = {fold_label(w) for w in data["generic_controls"]}
        self.weak_verbs = {fold_label(w) for w in data["weak_cancel_verbs"]}
        self.support = [normalize(w) for w in data["support"]]
        self.guard = ClickRules()

    def _texts(self, candidate: Candidate) -> list[str]:
        info = candidate.info
        values = (info.get("text"), info.get("axName"), info.get("aria"), info.get("title"))
        return list(dict.fromkeys(normalize(str(v)) for v in values if v))

    # -- entries ------------------------------------------------------------------------------
    def target_word(self, candidate: Candidate) -> str | None:
        """The target phrase this control carries, 'switch …' for an auto-renew switch that is
        on, or a cancel verb about the membership; None for anything else, and for help: a
        question ("如何取消自动续费？") or a footer link is an article about the entry."""
        info = candidate.info
        texts = self._texts(candidate)
        if info.get("landmark") == "contentinfo" or any(t.endswith(("?", "？")) for t in texts):
            return None
        for text in texts:
            if len(text) > TARGET_MAX_CHARS:
                continue
            for word in self.targets:
                if word in text:
                    return word
        if info.get("role") in ("switch", "checkbox") and info.get("checked"):
            context = normalize(
                " ".join(
                    [candidate.name, str(info.get("labelText") or ""), *context_texts(candidate)]
                )
            )
            for word in self.switch_labels:
                if word in context:
                    return f"switch {word} (on)"
        return self.membership_cancel(candidate)

    def membership_cancel(self, candidate: Candidate) -> str | None:
        """A control that says cancel / close / stop about the membership, in any wording
        ("Cancel" in a "My Memberships" card, "关闭" in the row "自动续费：已开启"): a target,
        never a way forward. Switches, form submits and never-touch wordings (取消订单, 退出登录)
        are not entries: left alone."""
        info = candidate.info
        labels = labels_of(info)
        if not labels or any(len(fold_label(label)) > TARGET_MAX_CHARS for label in labels):
            return None
        verb = self.guard.cancel_verb(labels)
        if verb is None or not self.guard.about_membership([*labels, *context_texts(candidate)]):
            return None
        if verb in self.weak_verbs and (
            in_header(info) or not self.guard.about_membership([str(info.get("rowLabel") or "")])
        ):
            return None  # 「退出」 is logout unless its own row is about the membership
        # A bare 「退出」 is never clicked (it is logout as often), but in the row of a paid
        # group it is the way out of it: only never-touch phrases (取消订单, 退出登录) veto.
        if toggles(info) or submits(info) or self.guard.never_touch_phrase(labels):
            return None
        return f"{verb}{MEMBERSHIP_CANCEL}"

    # -- side routes --------------------------------------------------------------------------
    def matches_any(self, candidate: Candidate, words: list[str]) -> bool:
        return any(w in t for t in self._texts(candidate) if len(t) <= 30 for w in words)

    def is_alternative(self, candidate: Candidate) -> bool:
        """Account deletion: named so, or a deletion verb in a place that names the account
        ("申请注销" under the heading 账号注销)."""
        if self.matches_any(candidate, self.alternatives):
            return True
        labels = [fold_label(t) for t in self._texts(candidate) if len(t) <= 30]
        if not any(verb in label for verb in self.alternative_verbs for label in labels):
            return False
        around = [*labels, *(fold_label(t) for t in context_texts(candidate))]
        return any(word in text for word in self.account_words for text in around)

    def is_support(self, candidate: Candidate) -> bool:
        return self.matches_any(candidate, self.support)

    def safe_to_click(self, candidate: Candidate) -> bool:
        return self.guard.judge(candidate.info).allowed

    # -- ways ---------------------------------------------------------------------------------
    def words_score(self, texts: list[str]) -> tuple[float, str]:
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
        if best:
            for word, penalty in self.detours.items():
                if any(word in text for text in texts):
                    best -= penalty
                    reason += f" -{word}"
                    break
        return best, reason

    def is_generic(self, candidate: Candidate) -> bool:
        label = fold_label(candidate.label)
        if not label:
            return False
        return label in self.generic or (
            len(label) <= 2 and not any(ch.isalnum() for ch in label)  # "›", "»", "→"
        )

    def shape_score(self, candidate: Candidate) -> tuple[float, str]:
        """Ways that do not depend on wording: the account menu in the banner, a menu button."""
        info = candidate.info
        popup = bool(info.get("hasPopup") or info.get("hiddenChildren"))
        right = float(info.get("x") or 0) >= RIGHT_SIDE * float(info.get("vw") or 1280)
        if in_header(info) and (info.get("hasImg") or right):
            if popup:
                return ACCOUNT_MENU, "account menu in the banner"
            if info.get("hasImg") and info.get("href") and right:
                return ACCOUNT_MENU - 4, "avatar link in the banner"
        label = candidate.label.strip()
        if popup and (candidate.icon_only or label in MENU_GLYPHS) and info.get("tag") != "a":
            return MENU_BUTTON, "menu button"
        return 0.0, ""

    def wayfinding_score(self, candidate: Candidate) -> tuple[float, str]:
        texts = self._texts(candidate)
        best, reason = self.words_score(texts)
        if self.is_generic(candidate):
            around, why = self.words_score(context_texts(candidate))
            if around * CONTEXT_WEIGHT > best:
                best = around * CONTEXT_WEIGHT
                reason = f"{candidate.label!r} in context {why}"
        shape, why = self.shape_score(candidate)
        if shape > best:
            return shape, why
        if best <= 0:
            return 0.0, ""  # attributes and affordances refine a match, never replace it
        attrs = " ".join(str(candidate.info.get(k) or "") for k in ("href", "id", "cls")).lower()
        for hint, weight in self.hints.items():
            if hint in attrs:
                best += weight
                reason += f" +{hint}"
                break
        if candidate.info.get("hiddenChildren") or candidate.info.get("hasPopup"):
            best += 4
            reason += " +menu"
        if candidate.info.get("landmark") == "contentinfo":
            best *= FOOTER_FACTOR  # terms, help and news live there, not the account area
            reason += " (footer)"
        return best, reason.strip()

    def score(self, candidate: Candidate) -> Candidate:
        candidate.score, candidate.reason = self.wayfinding_score(candidate)
        return candidate
