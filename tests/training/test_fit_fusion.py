"""The choice of the dense weight in the fusion (convqa.training.fit_fusion), on hand-built tallies."""

from __future__ import annotations

import pytest

from convqa.training.fit_fusion import TIE_ENGLISH, Tally, choose


def tallies(quote_hits: dict[float, int], questions: int = 1000) -> dict[float, Tally]:
    return {w: Tally(questions=questions, evidence=hits, quote=hits) for w, hits in quote_hits.items()}


@pytest.mark.fast
def test_the_best_dev_quote_hit_wins():
    assert choose(tallies({1.0: 500, 1.5: 520, 2.0: 540, 3.0: 510})) == 2.0


@pytest.mark.fast
def test_a_tie_within_half_a_point_keeps_the_weight_nearest_plain_rrf():
    # 2.0 is best by 4 questions in 1,000: not a difference, so 1.5 (nearer 1) is kept.
    assert choose(tallies({1.0: 500, 1.5: 536, 2.0: 540})) == 1.5
    assert choose(tallies({1.0: 540, 2.0: 543})) == 1.0


@pytest.mark.fast
def test_rates_are_shares_of_the_questions():
    rates = Tally(questions=8, evidence=6, quote=2, evidence5=7).rates()
    assert rates == {"evidence_hit@1": 0.75, "quote_hit@1": 0.25, "evidence_hit@5": 0.875}
    assert Tally().rates() == {"evidence_hit@1": 0.0, "quote_hit@1": 0.0, "evidence_hit@5": 0.0}


@pytest.mark.fast
def test_english_ties_are_two_questions_of_the_234():
    # One English dev question is 0.0043: 0.0 ahead by two questions is not a difference.
    english = {0.0: Tally(234, 0, 142), 0.5: Tally(234, 0, 140), 1.0: Tally(234, 0, 130)}
    assert choose(english, TIE_ENGLISH) == 0.5
    assert choose({**english, 0.0: Tally(234, 0, 143)}, TIE_ENGLISH) == 0.0
