"""The hand-tuned step's typed cue (convqa.answer.typed) on a hand-built analysis: a mention
of the kind asked for, new to the question, and not any two capitalised words."""

from __future__ import annotations

import pytest

from convqa.analysis.question import analyse_question
from convqa.analysis.types import MENTION_KINDS, Mention, PassageAnalysis
from convqa.answer.typed import fresh_mention, stored_analyses
from convqa.index.analyzer import analyze
from convqa.index.view import IndexView
from convqa.retrieval.types import Passage
from handmade import lexical_over, passage

pytestmark = pytest.mark.fast

TEXT = (
    "Le ministère de la Sécurité publique a organisé la cérémonie des Nations Unies. "
    "Le général Luong Tam Quang, ministre de la Sécurité publique, a parlé."
)
SECOND = TEXT.index("Le général")
NAME = TEXT.index("Luong")
ANALYSIS = PassageAnalysis(
    mentions=(
        Mention(TEXT.index("Nations"), TEXT.index("Nations") + len("Nations Unies"), "ORG"),
        Mention(NAME, NAME + len("Luong Tam Quang"), "PER"),
    )
)


def _fits(question: str, language: str, start: int, end: int, offset: int = 0) -> bool:
    p = Passage(f"seed:{offset}", TEXT, {"doc_id": "seed", "start": offset, "end": offset + len(TEXT)})
    terms = set(analyze(question))
    return fresh_mention(analyse_question(question, language), terms, p, ANALYSIS, offset + start, offset + end)


@pytest.mark.parametrize(
    "language,question",
    [("en", "Who is Vietnam's Minister of Public Security?"), ("fr", "Qui est le ministre de la Sécurité publique ?")],
)
def test_a_who_question_fits_the_sentence_naming_a_person_not_the_one_naming_an_organisation(language, question):
    assert not _fits(question, language, 0, SECOND)  # « Nations Unies » is two capitals, not a person
    assert _fits(question, language, SECOND, len(TEXT))
    # Article offsets: the same passage further into its article.
    assert _fits(question, language, SECOND, len(TEXT), offset=500)


def test_a_person_the_question_names_already_is_not_an_answer():
    assert not _fits("Qui est Luong Tam Quang ?", "fr", SECOND, len(TEXT))


def test_a_question_that_asks_for_no_mention_kind_fits_nothing():
    assert analyse_question("Pourquoi la cérémonie a-t-elle eu lieu ?", "fr").expects not in MENTION_KINDS
    assert not _fits("Pourquoi la cérémonie a-t-elle eu lieu ?", "fr", SECOND, len(TEXT))


def test_an_index_without_stored_analyses_gives_none():
    passages = [passage("pont-millau")]
    assert stored_analyses(IndexView(lexical_over(passages)), passages) == {}
