"""Training examples and the dev fits, on hand-built inputs (no model, no index)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from convqa.evaluation.metrics import GoldRange
from convqa.training.calibrate import fit_logistic
from convqa.training.examples import Example, assign_dev, dev_article, gold_index, gold_text, sentence_text
from convqa.training.rerank import top_candidate

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

TEXT = "Le maire a ouvert la séance. Le budget atteint 12 millions d'euros. La séance est levée."
SENTENCES = [(0, 28), (29, 67), (68, 88)]
MILLIONS = TEXT.index("12 millions")


def _candidate(doc_id: str, start: int, end: int, prior: float = 0.0) -> dict:
    return {"doc_id": doc_id, "start": start, "end": end, "prior": prior}


def _example(gold: GoldRange, *cands: dict) -> Example:
    return Example("Quel est le budget ?", "train", gold, list(cands))


def _texts() -> dict[tuple, str]:
    return {("conseil", s, e): TEXT[s:e] for s, e in SENTENCES} | {("autre", 29, 67): "x" * 38}


def test_the_gold_sentence_is_found_by_offsets_not_by_its_words():
    gold = GoldRange("conseil", MILLIONS, MILLIONS + len("12 millions"))
    example = _example(
        gold,
        _candidate("conseil", *SENTENCES[0]),
        _candidate("autre", 29, 67),  # same offsets, another article
        _candidate("conseil", *SENTENCES[1]),
    )
    assert gold_index(example) == 2
    assert gold_text(example, _texts()) == "12 millions"
    assert sentence_text(example.candidates[0], _texts()) == "Le maire a ouvert la séance."


def test_a_candidate_cutting_the_answer_is_not_the_gold_one():
    gold = GoldRange("conseil", MILLIONS, MILLIONS + len("12 millions"))
    cut = _candidate("conseil", 29, MILLIONS + 2)  # ends inside "12 millions"
    example = _example(gold, cut, _candidate("conseil", *SENTENCES[2]))
    assert gold_index(example) is None
    assert gold_text(example, _texts()) == ""


def test_dev_articles_are_a_fifth_of_them_and_follow_the_title():
    titles = [f"Article {i}" for i in range(2000)]
    share = sum(map(dev_article, titles)) / len(titles)
    assert 0.17 < share < 0.23
    assert [dev_article(t) for t in titles[:50]] == [dev_article(t) for t in titles[:50]]
    examples = [_example(GoldRange(f"a{i}", 0, 1)) for i in range(40)]
    assign_dev(examples, {f"a{i}": titles[i] for i in range(40)})
    assert [e.split for e in examples] == ["dev" if dev_article(titles[i]) else "train" for i in range(40)]


def test_the_prior_weight_can_turn_the_ranking_around():
    cands = [_candidate("conseil", 0, 28, prior=0.0), _candidate("conseil", 29, 67, prior=1.0)]
    margins = [2.0, 1.5]
    assert top_candidate(margins, cands, 0.0) == 0
    assert top_candidate(margins, cands, 1.0) == 1


def test_the_logistic_fit_separates_answered_from_unanswerable_rows():
    rng = random.Random(3)
    x = np.array(
        [[rng.gauss(1.5, 0.5), rng.gauss(0, 1)] for _ in range(100)]
        + [[rng.gauss(-1.5, 0.5), rng.gauss(0, 1)] for _ in range(100)]
    )
    y = np.array([1.0] * 100 + [0.0] * 100)
    weights, bias = fit_logistic(x, y)
    predicted = (x @ weights + bias) > 0
    assert (predicted == (y == 1)).mean() > 0.97
    assert weights[0] > 0 and abs(weights[1]) < abs(weights[0]) / 4  # the noise column barely counts
