"""The clause model (the second reader of unfair clauses) and how it joins the families."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from cancelscout.analysis.clause_model import (
    FLAG_AT,
    ORDINARY_BELOW,
    ClauseModel,
    default_model,
    features,
)
from cancelscout.analysis.clauses import classify, own_words, scan

REPO = Path(__file__).resolve().parents[1]
STORED = REPO / "src" / "cancelscout" / "data" / "clause_model.json"


def _model(
    label: str, char: str, weight: float, labels: tuple[str, ...] = ("no-refund", "ordinary")
) -> ClauseModel:
    """A model that reads one character as ``label`` with ``weight`` (nothing else)."""
    bias = tuple(0.0 for _ in labels)
    return ClauseModel(labels, bias, {f"c{char}": ((labels.index(label), weight),)})


def test_clause_model_stored_file_is_what_the_tuning_splits_train() -> None:
    """The packaged model is current (retraining gives the same bytes) and the held-out
    split of the corpus was never among its training files."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train", REPO / "tools" / "train_clause_model.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    stored = json.loads(STORED.read_text("utf-8"))
    splits = sorted(p.name for p in (REPO / "tests" / "clause_corpus").glob("*.yaml"))
    assert "heldout.yaml" in splits
    assert sorted(stored["trained_on"]) == [name for name in splits if name != "heldout.yaml"]
    assert tool.build() == STORED.read_bytes()


def test_clause_model_features_read_traditional_as_simplified() -> None:
    assert features("不予退還") == features("不予退还")
    assert "bno_refunds" in features("No refunds are given.")


def test_classify_model_flags_a_sentence_no_family_matches() -> None:
    sentence = "甲乙丙丁戊己庚辛，壬癸子丑。"
    hits = classify(sentence, "agreement", model=_model("no-refund", "甲", 4.0))
    assert [(h.rule.id, h.matched_by) for h in hits] == [("no-refund", "model")]


def _odds(**probabilities: float) -> ClauseModel:
    """A model that gives every sentence these odds (label names with _ for -)."""
    labels = tuple(label.replace("_", "-") for label in probabilities)
    return ClauseModel(labels, tuple(math.log(p) for p in probabilities.values()), {})


def test_classify_model_unsure_leaves_the_sentence_unflagged() -> None:
    """Its top family, no-refund, at 0.19 (below FLAG_AT); ordinary at 0.30."""
    model = _odds(no_refund=0.19, no_cancel=0.17, forfeiture=0.17, ordinary=0.30, no_liability=0.17)
    assert FLAG_AT > 0.19 and ORDINARY_BELOW > 0.30
    assert classify("甲乙丙丁戊己庚辛，壬癸子丑。", "agreement", model=model) == []


def test_classify_model_flags_a_family_when_ordinary_is_not_clearly_likelier() -> None:
    """Ordinary is the likeliest label (0.45) but below ORDINARY_BELOW, and no-refund has a
    real share (0.30): the sentence is flagged no-refund by the model. At 0.55 it is not."""
    sentence = "甲乙丙丁戊己庚辛，壬癸子丑。"
    hits = classify(
        sentence, "agreement", model=_odds(no_refund=0.3, no_cancel=0.25, ordinary=0.45)
    )
    assert [(h.rule.id, h.matched_by) for h in hits] == [("no-refund", "model")]
    assert (
        classify(sentence, "agreement", model=_odds(no_refund=0.3, ordinary=0.55, no_cancel=0.15))
        == []
    )


@pytest.mark.parametrize(
    "line", ["会员服务协议 - 云海发卡网甲", "甲乙丙。", "在以下情况下，甲方不承担赔偿责任："]
)
def test_classify_model_leaves_titles_and_short_lines_alone(line: str) -> None:
    """A heading (no clause punctuation), a short line or a lead-in to a list is not the
    model's to judge, however sure it is; the families' rules still read them."""
    assert classify(line, "agreement", model=_model("no-refund", "甲", 9.0)) == []


def test_classify_model_leaves_a_dated_label_line_alone() -> None:
    """ "更新日期：2025年10月1日" has punctuation but 7 letters: not prose."""
    assert (
        classify("更新日期：2025年10月1日", "agreement", model=_model("no-refund", "日", 9.0)) == []
    )


def test_classify_model_vetoes_a_family_match_on_an_ordinary_sentence() -> None:
    sentence = "本站售出的会员概不退款。"
    assert [h.rule.id for h in classify(sentence, "agreement", model=_model("ordinary", "甲", 9))]
    vetoed = classify(sentence, "agreement", model=_model("ordinary", "概", 20.0))
    assert vetoed == []


def test_classify_family_match_is_reported_as_the_rule() -> None:
    hits = classify("本站售出的会员概不退款。", "agreement", model=_model("no-refund", "概", 9.0))
    assert [(h.rule.id, h.matched_by) for h in hits] == [("no-refund", "rule")]


def test_classify_only_families_that_apply_to_the_page_kind() -> None:
    model = _model("no-refund", "概", 9.0)
    assert classify("本站售出的会员概不退款。", "orders", model=model) == []


def test_clause_model_default_loads_labels_of_every_family() -> None:
    model = default_model()
    assert "ordinary" in model.labels
    assert len(model.labels) == 13  # twelve families and ordinary


def test_classify_clause_quoted_in_a_warning_is_not_flagged() -> None:
    """A sentence that cites an unfair clause to warn about it does not impose it."""
    sentence = "不少店铺在页面上写着“本店售出的会员卡概不退款”，这样的格式条款依法可能无效。"
    assert classify(sentence, "agreement") == []


def test_classify_clause_in_emphasis_quotes_is_the_pages_own() -> None:
    hits = classify("温馨提示：“本店售出的会员卡概不退款”", "agreement")
    assert [(h.rule.id, h.matched_by) for h in hits] == [("no-refund", "rule")]


def test_classify_model_adds_its_family_beside_the_rules_one() -> None:
    """The rules read no-refund; the model is sure of another family: both are flagged, the
    model's marked as its own."""
    model = _model("no-cancel", "概", 20.0, ("no-refund", "no-cancel", "ordinary"))
    hits = classify("本站售出的会员概不退款。", "agreement", model=model)
    assert [(h.rule.id, h.matched_by) for h in hits] == [
        ("no-refund", "rule"),
        ("no-cancel", "model"),
    ]


def test_classify_faq_question_is_not_flagged_but_its_answer_is() -> None:
    """A question imposes nothing ("能退款吗？"); the answer beside it is read on its own."""
    assert classify("Q：会员开通后概不退款吗？", "agreement") == []
    hits = scan("Q：可以退款吗？A：会员一经开通，概不退款。", "agreement")
    assert [(h.rule.id, h.sentence) for h in hits] == [("no-refund", "A：会员一经开通，概不退款。")]


def test_own_words_keep_a_quoted_term_and_drop_a_quoted_clause() -> None:
    """'Lifetime' in quotation marks is the term the sentence defines, and “…” after 勾选 is a
    control's label: both are the page's own words, unlike a clause it cites."""
    term = "'Lifetime' here means for as long as the site stays online."
    assert own_words(term) == term
    label = "不勾选“接收全部营销信息”的，注册流程无法继续。"  # a checkbox's text, not a citation
    assert own_words(label) == label
    cited = "Some shops write 'all sales are final, no refunds' and such terms may be void."
    assert own_words(cited) == "Some shops write “…” and such terms may be void."
