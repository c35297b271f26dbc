"""Flag clauses a consumer can challenge, from the rule set in ``data/clauses.yaml``.

Pure text work (no browser): split visible page text into sentences, match each rule's patterns
against the normalised sentence (with the clause model as a second reader, ``classify``), and
grade the whole text in the spirit of ToS;DR's A–E classes.
The sentence reported is always the sentence as written on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from cancelscout.analysis.clause_model import (
    ADD_AT,
    FLAG_AT,
    ORDINARY,
    ORDINARY_BELOW,
    VETO_AT,
    ClauseModel,
    default_model,
)
from cancelscout.analysis.clause_model import reads as model_reads
from cancelscout.profiles.yamlsafe import read_yaml
from cancelscout.textnorm import normalize

Severity = Literal["high", "medium", "low"]
SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2}
# A sentence ends at 。！？!? or a line break; ；splits clauses inside one sentence, so it stays.
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")


CHECKED = ("official publication", "republished copy")


@dataclass(frozen=True)
class Law:
    id: str
    name: str
    quote: str
    version: str = ""  # adoption / amendment, or 令号: the one version quoted
    effective: str = ""  # the date that version took effect
    source: str = ""  # the URL the quote was checked against
    checked: str = ""  # one of CHECKED

    @property
    def citation(self) -> str:
        """How letters name the version, its date in force and where the text was checked."""
        note = "，系转载文本，请以官方公布文本为准" if self.checked != CHECKED[0] else ""
        return f"（{self.version}，{self.effective}起施行；文本据 {self.source}{note}）"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    applies: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    explanation: str
    basis: tuple[str, ...]
    # Each frame: slots that must all be present somewhere in the sentence, in any order.
    frames: tuple[tuple[re.Pattern[str], ...], ...] = ()
    maps_to: tuple[str, ...] = ()  # CLAUDETTE / ToS;DR categories, for comparison

    def matches(self, sentence: str) -> bool:
        folded = normalize(sentence)
        hit = any(p.search(folded) for p in self.patterns) or any(
            all(slot.search(folded) for slot in frame) for frame in self.frames
        )
        return hit and not self.excepted(sentence)

    def excepted(self, sentence: str) -> bool:
        """Does one of the family's exceptions (``unless``) hold for the sentence?"""
        folded = normalize(sentence)
        return any(p.search(folded) for p in self.unless)


@dataclass(frozen=True)
class RuleSet:
    laws: dict[str, Law]
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@dataclass(frozen=True)
class Hit:
    rule: Rule
    sentence: str
    matched_by: Literal["rule", "model"] = "rule"  # a family's slots, or the clause model


def _squash(text: str) -> str:
    # YAML folding puts a space where a line broke; Chinese legal text has no spaces of its own.
    return "".join(str(text).split())


_SLOT = re.compile(r"<<([a-z_]+)>>")


def _slotted(pattern: str, slots: dict[str, str], rule_id: str) -> re.Pattern[str]:
    """``pattern`` with each ``<<slot>>`` replaced by that slot's alternatives."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in slots:
            raise ValueError(f"clause rule {rule_id}: unknown slot <<{name}>>")
        return slots[name]

    return re.compile(_SLOT.sub(fill, pattern))


def parse_rules(data: dict[str, Any]) -> RuleSet:
    slots = {
        name: "(?:" + "|".join(str(alt) for alt in alts) + ")"
        for name, alts in (data.get("slots") or {}).items()
    }
    laws: dict[str, Law] = {}
    for law_id, item in data["laws"].items():
        missing = [k for k in ("version", "effective", "source", "checked") if not item.get(k)]
        if missing or item.get("checked") not in CHECKED:
            raise ValueError(f"law {law_id}: needs {', '.join(missing) or 'checked'} {CHECKED}")
        laws[law_id] = Law(
            law_id,
            _squash(item["name"]),
            _squash(item["quote"]),
            version=str(item["version"]),
            effective=str(item["effective"]),
            source=str(item["source"]),
            checked=str(item["checked"]),
        )
    rules: list[Rule] = []
    for item in data["rules"]:
        basis = tuple(item["basis"])
        unknown = [b for b in basis if b not in laws]
        if unknown:
            raise ValueError(f"clause rule {item['id']}: unknown law id(s) {unknown}")
        severity = item["severity"]
        if severity not in SEVERITY_ORDER:
            raise ValueError(f"clause rule {item['id']}: severity {severity!r}")
        rules.append(
            Rule(
                id=item["id"],
                title=item["title"],
                severity=severity,
                applies=tuple(item.get("applies") or ("agreement", "promo")),
                patterns=tuple(_slotted(p, slots, item["id"]) for p in item.get("patterns") or ()),
                unless=tuple(_slotted(p, slots, item["id"]) for p in item.get("unless") or ()),
                explanation=_squash(item["explanation"]),
                basis=basis,
                frames=tuple(
                    tuple(_slotted(part, slots, item["id"]) for part in frame)
                    for frame in item.get("frames") or ()
                ),
                maps_to=tuple(item.get("maps_to") or ()),
            )
        )
    return RuleSet(laws, tuple(rules))


@cache
def default_rules() -> RuleSet:
    raw = resources.files("cancelscout.data").joinpath("clauses.yaml").read_bytes()
    data: dict[str, Any] = read_yaml(raw, "clauses.yaml").data
    return parse_rules(data)


# An English sentence ends at ". " after a word and before a capital or a Chinese character
# ("…at any time. Users can…"); "2. 会员…" is a clause's number, not an end. Chinese text ends
# at 。, which _SENTENCE splits on.
_ENGLISH_END = re.compile(r"(?<=[a-z)\]\"'”’][.])\s+(?=[A-Z\u3400-\u9fff])")


def sentences(text: str) -> list[str]:
    """The sentences of visible page text, trimmed, in page order (empty ones dropped)."""
    found = (m.group(0).strip() for m in _SENTENCE.finditer(text))
    return [part.strip() for s in found for part in _ENGLISH_END.split(s) if part.strip()]


def classify(
    sentence: str, kind: str, rules: RuleSet | None = None, model: ClauseModel | None = None
) -> list[Hit]:
    """The families that flag ``sentence`` on a page of ``kind``: the families' own slots
    first; the clause model vetoes their match when it is sure the sentence is ordinary, adds
    its own family when the rules flagged another one, and flags a sentence no family matched
    when it is sure enough which family it belongs to (see ``analysis/clause_model.py`` for
    how the thresholds were chosen)."""
    ruleset = rules or default_rules()
    reader = model or default_model()
    applicable = [rule for rule in ruleset.rules if kind in rule.applies]
    if not applicable:
        return []
    own = own_words(sentence)  # what the page says itself, not what it quotes
    if is_question(own):  # an FAQ's question imposes nothing; its answer is read on its own
        return []
    hits = [Hit(rule, sentence) for rule in applicable if rule.matches(own)]
    odds = reader.probabilities(own)
    family = max(odds, key=lambda label: odds[label])
    if hits:
        if odds.get(ORDINARY, 0.0) >= VETO_AT:
            return []
        if family != ORDINARY and odds[family] >= ADD_AT:  # the family the rules missed
            hits += [
                Hit(rule, sentence, "model")
                for rule in applicable
                if rule.id == family and all(h.rule.id != family for h in hits)
            ]
        return hits
    # No family matched: the model's likeliest family, when ordinary is not the likelier reading
    # by a margin and that family has a real share of the odds.
    unfair = max((label for label in odds if label != ORDINARY), key=odds.__getitem__)
    if odds.get(ORDINARY, 0.0) >= ORDINARY_BELOW or odds[unfair] < FLAG_AT:
        return []
    if not model_reads(own):
        return []
    return [
        Hit(rule, sentence, "model")
        for rule in applicable
        if rule.id == unfair and not rule.excepted(own)  # the family's exceptions hold
    ]


def is_question(sentence: str) -> bool:
    """Does the sentence ask rather than state ("Q：开通后能退款吗？", "Will I be reminded?")?"""
    return sentence.rstrip().endswith(("?", "？"))


# A quotation: a span in quotation marks long enough to be a clause of its own (a straight
# single quote only between non-letters: the apostrophes of "we've … won't" quote nothing).
_QUOTE = re.compile(
    r"“[^”]{8,}”|「[^」]{8,}」|『[^』]{8,}』|\"[^\"]{8,}\"|‘[^’]{8,}’"
    r"|(?<![A-Za-z])'[^']{8,}'(?![A-Za-z])"
)
_LETTERS = re.compile(r"[\w\u3400-\u9fff]")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


# What names a control on the page: 不勾选“接收全部营销信息”的… quotes a checkbox, not a clause.
_CONTROL_BEFORE = re.compile(r"(勾选|勾|点击|点|选择|选中|tick|check|click|select|press)\s*$", re.I)


def _quoted_clause(match: re.Match[str]) -> str:
    # 'Lifetime', "Forever": a quoted term is the sentence's own word; a quoted clause has words
    inner = match.group(0)[1:-1]
    term = not _CJK_CHAR.search(inner) and not inner.strip().count(" ")
    label = bool(_CONTROL_BEFORE.search(match.string[: match.start()]))
    return match.group(0) if term or label else "“…”"


def own_words(sentence: str) -> str:
    """The sentence with the clauses it quotes left out, when it says something of its own
    about them ("很多发卡网写着“…概不退换”，但…", "a clause saying '…' may be unenforceable"):
    a sentence that cites an unfair clause to warn about it does not impose it. A sentence that
    is all quotation, or nearly (「温馨提示：“…”」), is its own words."""
    outside = _QUOTE.sub(_quoted_clause, sentence)
    if outside == sentence or len(_LETTERS.findall(outside)) < 8:
        return sentence
    return outside


def scan(text: str, kind: str, rules: RuleSet | None = None) -> list[Hit]:
    """Every (family, sentence) hit in ``text`` for a page of ``kind``; one hit per pair."""
    hits: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for sentence in sentences(text):
        for hit in classify(sentence, kind, rules):
            if (hit.rule.id, sentence) not in seen:
                seen.add((hit.rule.id, sentence))
                hits.append(hit)
    return hits


def grade(hits: list[Hit], scanned: bool) -> tuple[str, str] | None:
    """A ToS;DR-style class and its reason, or None when no agreement/promo text was scanned.

    Counted per distinct rule, so one unfair idea repeated ten times weighs as one: A nothing
    flagged; B one minor point; C one medium or several minor; D one serious or several medium;
    E several serious, or a serious one with two medium.
    """
    if not scanned:
        return None
    by_rule: dict[str, Rule] = {h.rule.id: h.rule for h in hits}
    high = [r for r in by_rule.values() if r.severity == "high"]
    medium = [r for r in by_rule.values() if r.severity == "medium"]
    low = [r for r in by_rule.values() if r.severity == "low"]
    if len(high) >= 2 or (high and len(medium) >= 2):
        letter = "E"
    elif high or len(medium) >= 2:
        letter = "D"
    elif medium or len(low) >= 2:
        letter = "C"
    elif low:
        letter = "B"
    else:
        return "A", "未发现本工具规则库所列的不公平条款（规则库之外的问题仍需人工阅读判断）。"
    parts = []
    for label, group in (("严重", high), ("较重", medium), ("轻微", low)):
        if group:
            parts.append(f"{label}问题 {len(group)} 项（{'、'.join(r.title for r in group)}）")
    return letter, "；".join(parts) + "。"
