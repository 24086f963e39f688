"""The blended answer step's arithmetic on hand-built scores (its behaviour on the seed
article is in test_answers.py, test_follow_ups.py and test_answerability.py, where it is
the default)."""

from __future__ import annotations

import numpy as np
import pytest

from convqa.answer.blended import blend, standardised

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def test_scores_are_standardised_over_the_question_s_sentences():
    z = standardised(np.array([3.0, 1.0, 2.0]))
    assert np.allclose(z.mean(), 0.0) and np.allclose(z.std(), 1.0)
    assert list(np.argsort(-z)) == [0, 2, 1]  # the order is kept
    assert standardised(np.array([0.4, 0.4])).tolist() == [0.0, 0.0]  # all equal: no say


def test_the_blend_lets_a_clear_hand_tuned_lead_overrule_a_narrow_model_one():
    # The model barely prefers sentence 0; the hand-tuned step clearly prefers sentence 1.
    model, hand = np.array([1.02, 1.0, -2.0, -2.1]), np.array([0.50, 0.80, 0.30, 0.31])
    assert int(np.argmax(blend(model, hand))) == 1
    assert int(np.argmax(blend(model, hand, weight=1.0))) == 0  # the model alone
    # A clear model lead stays.
    model = np.array([3.0, 1.0, -2.0, -2.1])
    assert int(np.argmax(blend(model, hand))) == 0
