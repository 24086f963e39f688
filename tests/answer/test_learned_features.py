"""The learned answer step's features on hand-built inputs: each says what it claims."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convqa.analysis.types import Mention, PassageAnalysis, QuestionAnalysis
from convqa.answer.features import (
    ANSWERABLE_FEATURES,
    SENTENCE_FEATURES,
    PassageIn,
    QuestionIn,
    SentenceIn,
    answerable_row,
    sentence_rows,
)
from convqa.answer.span_features import SPAN_FEATURES, span_rows
from convqa.training.answerer import platt

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

LEAD = "Le festival Jazz au lac a ouvert samedi à Annecy."
FIGURE = "Le festival Jazz au lac a accueilli 12 000 visiteurs."
TEXT = f"{LEAD} {FIGURE}"
SECOND = len(LEAD) + 1
NUMBER = TEXT.index("12 000 visiteurs")


def _inputs(analysis: PassageAnalysis | None = None):
    passage = PassageIn("jazz", 0, len(TEXT), TEXT, 0.03, {"dense": 0.8, "dense_rank": 1, "lexical": 7.0}, analysis)
    sentences = [SentenceIn(0, 0, len(LEAD), 0.6, 0.0, 0.81), SentenceIn(0, SECOND, len(TEXT), 0.6, 1.0, 0.80)]
    question = QuestionIn(
        "Combien de visiteurs au festival Jazz au lac ?",
        QuestionAnalysis(wh="combien", expects="NUM", focus="visiteur"),
        idf={"festival": 1.0, "jazz": 2.0, "lac": 1.5, "visiteur": 2.0},
    )
    return question, [passage], sentences


def _col(rows, name):
    return [row[SENTENCE_FEATURES.index(name)] for row in rows]


def test_one_row_per_sentence_with_every_feature():
    rows = sentence_rows(*_inputs())
    assert len(rows) == 2 and all(len(r) == len(SENTENCE_FEATURES) for r in rows)


def test_words_shared_by_every_sentence_of_the_article_count_less():
    # Both sentences repeat the topic words; only the second holds "visiteurs".
    local = _col(sentence_rows(*_inputs()), "local_coverage")
    assert local[1] > local[0]


def test_type_fit_needs_a_mention_of_the_expected_kind():
    analysis = PassageAnalysis(mentions=(Mention(NUMBER, NUMBER + 16, "NUM", "visiteur", "obj"),))
    rows = sentence_rows(*_inputs(analysis))
    assert _col(rows, "type_fit") == [0.0, 1.0]
    assert _col(rows, "focus_here") == [0.0, 1.0]


def test_without_analysis_the_analysis_features_are_missing_not_zero():
    rows = sentence_rows(*_inputs(None))
    assert all(math.isnan(v) for v in _col(rows, "type_fit"))


def test_position_in_the_article_is_given_not_imposed():
    rows = sentence_rows(*_inputs())
    assert _col(rows, "article_first") == [1.0, 0.0]
    assert _col(rows, "article_offset") == [0.0, float(SECOND)]


def test_answerable_row_follows_the_best_scored_sentence():
    rows = sentence_rows(*_inputs())
    row = answerable_row(rows, [0.2, 1.5], best_span=0.7)
    assert len(row) == len(ANSWERABLE_FEATURES)
    assert row[ANSWERABLE_FEATURES.index("best_score")] == 1.5
    assert row[ANSWERABLE_FEATURES.index("score_gap")] == pytest.approx(1.3)
    assert row[ANSWERABLE_FEATURES.index("best_span")] == 0.7


def test_span_features_penalise_repeating_the_question_and_measure_distance():
    sentence = FIGURE
    at = sentence.index("12 000 visiteurs")
    topic = sentence.index("festival Jazz au lac")
    spans = [Mention(at, at + 16, "NUM", "visiteur", "obj"), Mention(topic, topic + 20, "CHUNK", "festival", "nsubj")]
    qa = QuestionAnalysis(wh="combien", expects="NUM", focus="visiteur")
    rows = span_rows(qa, "Combien de visiteurs au festival Jazz au lac ?", sentence, spans, 0, 1.0, 1.0)
    get = lambda i, name: rows[i][SPAN_FEATURES.index(name)]  # noqa: E731
    assert get(0, "expected") == 1.0 and get(1, "expected") == 0.0
    assert get(0, "focus_head") == 1.0
    assert get(1, "inside_question") == 1.0 and get(0, "inside_question") == 0.0
    assert get(1, "overlap") == 1.0
    assert get(0, "distance") >= 1.0


def test_platt_scaling_recovers_a_known_slope():
    rng = np.random.default_rng(0)
    margin = rng.normal(size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-(2.0 * margin - 0.5)))).astype(float)
    a, b = platt(margin, y)
    assert a == pytest.approx(2.0, abs=0.25) and b == pytest.approx(-0.5, abs=0.2)
