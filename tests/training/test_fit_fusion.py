"""The choice of the dense weight in the fusion (convqa.training.fit_fusion), on hand-built tallies."""

from __future__ import annotations

import pytest

from convqa.training.fit_fusion import Tally, choose


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
    assert Tally(questions=8, evidence=6, quote=2).rates() == {"evidence_hit@1": 0.75, "quote_hit@1": 0.25}
    assert Tally().rates() == {"evidence_hit@1": 0.0, "quote_hit@1": 0.0}
