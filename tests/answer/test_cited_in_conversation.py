"""Which passages an answer cites in a conversation: only what supports this answer."""

from __future__ import annotations

import pytest

from convqa.answer.compose import Composer
from convqa.answer.reading import SentenceCandidate

pytestmark = pytest.mark.fast


def best(doc: str, score: float, **features: float) -> SentenceCandidate:
    return SentenceCandidate(0, doc, 0, 10, "phrase", features=features, score=score)


BEST_OF = {
    0: best("forum", 3.0),
    1: best("hanoi", 2.5),
    2: best("forum", 2.0),
    3: best("kahone", 1.5),
    4: best("forum", 1.0, given=1.0),
}


def test_an_earlier_topic_s_article_is_not_cited_for_a_new_topic():
    assert Composer().cited(BEST_OF, None, 5, earlier=frozenset({"hanoi"})) == [0, 2, 3]
    assert Composer().cited(BEST_OF, None, 5) == [0, 1, 2, 3]


def test_the_earlier_article_is_cited_when_this_answer_comes_from_it():
    assert Composer().cited(BEST_OF, None, 5, earlier=frozenset({"forum"})) == [0, 1, 2, 3]


def test_a_sentence_an_earlier_answer_quoted_is_cited_only_as_the_answer_itself():
    assert 4 not in Composer().cited(BEST_OF, None, 5)
    assert Composer().cited({0: best("forum", 1.0, given=1.0)}, None, 5) == [0]
