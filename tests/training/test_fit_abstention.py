"""The choice of the learned answerability's thresholds (convqa.training.fit_abstention), on
hand-built probabilities."""

from __future__ import annotations

import pytest

from convqa.training.fit_abstention import choose, rate


@pytest.mark.fast
def test_a_question_the_rules_abstained_on_stays_abstained_at_any_threshold():
    # None: the hand-tuned step's own rules abstained; a threshold of 0 cannot undo that.
    assert rate([None, 0.5, 0.01, 0.2], 0.0) == 0.25
    assert rate([None, 0.5, 0.01, 0.2], 0.05) == 0.5
    assert rate([None, 0.5, 0.01, 0.2], 0.3) == 0.75
    assert rate([], 0.1) == 0.0


@pytest.mark.fast
def test_the_highest_threshold_within_the_ordinary_bar_is_chosen():
    curve = [
        {"threshold": 0.02, "ordinary": 0.004, "held_out": 0.40},
        {"threshold": 0.04, "ordinary": 0.015, "held_out": 0.60},
        {"threshold": 0.06, "ordinary": 0.016, "held_out": 0.70},
    ]
    assert choose(curve) == 0.04  # 0.06 catches more held-out questions, but costs ordinary ones
    assert choose(curve, max_ordinary=0.02) == 0.06
    assert choose(curve, max_ordinary=0.001) == 0.0  # none fits: the rules alone decide
