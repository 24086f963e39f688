"""Conversation history: every accepted shape becomes Turns with positions from citations."""

from __future__ import annotations

import pytest

from convqa.answer.types import Answer, Citation
from convqa.conversation import Turn, normalize_history
from convqa.question import make_query

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def cited_answer(question: str = "Qui dirige l'ONUDC ?") -> Answer:
    citation = Citation(1, "hanoi", "Titre", "", "passage", 100, 400, "Mme Ghada Waly dirige l'ONUDC.", 120, 150, 1.0)
    return Answer(question, "Mme Ghada Waly dirige l'ONUDC. [1]", False, [citation])


def test_every_shape_is_accepted_and_empty_items_dropped():
    answer = cited_answer()
    turns = normalize_history(
        [
            "Première question",
            ["Deuxième", "réponse en texte"],
            ("Troisième",),
            {"question": "Quatrième", "answer": answer.to_dict()},
            answer.to_dict(),
            answer,
            Turn("Septième"),
            "",
            ["", "x"],
            None,
            42,
        ]
    )
    assert [t.question for t in turns] == [
        "Première question",
        "Deuxième",
        "Troisième",
        "Quatrième",
        "Qui dirige l'ONUDC ?",
        "Qui dirige l'ONUDC ?",
        "Septième",
    ]
    assert turns[1].answer_text == "réponse en texte" and turns[1].quoted is None
    assert turns[3].quoted == ("hanoi", 120, 150) == turns[4].quoted == turns[5].quoted


def test_json_round_trip_keeps_the_position():
    turn = Turn("Qui dirige l'ONUDC ?", cited_answer())
    (again,) = normalize_history([turn.to_dict()])
    assert again.quoted == turn.quoted and again.answer.citations == turn.answer.citations


def test_a_paraphrased_answer_keeps_its_citation_position():
    answer = cited_answer()
    answer.answer = "C'est Mme Waly qui est à la tête de l'Office [1]."
    query = make_query("Qu'a-t-elle promis au Vietnam ?", normalize_history([answer]))
    assert query.context == "Qui dirige l'ONUDC ?"
    assert query.near == ("hanoi", 120, 150)


def test_a_question_that_does_not_follow_up_ignores_the_history():
    query = make_query(
        "Combien de pays étaient représentés à la cérémonie de signature ?", normalize_history([cited_answer()])
    )
    assert query.context == "" and query.near is None
    # Earlier quotes stay known, only to keep them out of this answer's citations.
    assert query.said == (("hanoi", 120, 150),)


def test_an_abstention_gives_no_position():
    abstained = Answer("Quel temps ?", "Je ne trouve pas…", True, [])
    assert normalize_history([abstained])[0].quoted is None
