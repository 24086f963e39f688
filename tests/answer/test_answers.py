"""Answers on the seed article: the right fact, cited with offsets that quote it exactly."""

from __future__ import annotations

import pytest

from paths import SEED_ID


def assert_exact_citations(answer, seed_text):
    """Every citation's passage and quote are the article's own characters at those offsets."""
    assert answer.citations, "an answer must cite its passages"
    for n, c in enumerate(answer.citations, 1):
        assert c.n == n
        assert c.doc_id == SEED_ID
        assert seed_text[c.start : c.end] == c.text
        assert seed_text[c.quote_start : c.quote_end] == c.quote
        assert c.start <= c.quote_start < c.quote_end <= c.end
        assert c.source.startswith("https://www.vietnamplus.vn/")
    assert "[1]" in answer.answer


def test_french_question_answers_with_unodc_and_cites_the_passage(seed_assistant, seed_text):
    answer = seed_assistant.ask("Quel organisme dirige Ghada Waly ?")
    assert not answer.abstained
    assert "Office des Nations Unies contre la drogue et le crime" in answer.answer
    assert "ONUDC" in answer.answer
    first = answer.citations[0]
    assert "Ghada Waly" in first.quote and "ONUDC" in first.quote
    assert_exact_citations(answer, seed_text)


def test_english_question_finds_the_french_answer(seed_assistant, seed_text):
    answer = seed_assistant.ask("Which country's vice-president spoke for the heads of delegation?")
    assert not answer.abstained
    assert "Équateur" in answer.answer
    assert answer.language == "en"
    assert_exact_citations(answer, seed_text)


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Combien de pays et d'organisations internationales étaient représentés à la cérémonie ?", "110 pays"),
        ("Qui est le ministre de la Sécurité publique ?", "Luong Tam Quang"),
        ("What did UNODC consider creating in Hanoi?", "centre régional de formation"),
        ("Que demande le Vietnam aux pays à propos de la Convention ?", "ratifier rapidement"),
    ],
)
def test_more_facts_of_the_article(seed_assistant, seed_text, question, fact):
    answer = seed_assistant.ask(question)
    assert not answer.abstained
    assert fact in answer.answer
    assert_exact_citations(answer, seed_text)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Quelle est la recette de la tarte Tatin ?", "fr"),
        ("Who won the 1998 football World Cup?", "en"),
        ("Comment changer un pneu de vélo ?", "fr"),
    ],
)
def test_unrelated_question_abstains_in_its_language(seed_assistant, question, language):
    answer = seed_assistant.ask(question)
    assert answer.abstained
    assert answer.citations == []
    assert answer.language == language
    expected = "Je ne trouve pas" if language == "fr" else "I could not find"
    assert answer.answer.startswith(expected)


def test_a_question_about_something_no_article_names_abstains(seed_assistant):
    # Retrieval still returns Hanoi's sentences ("Hanoï, capitale…"): the name decides.
    assert seed_assistant.ask("Quelle est la capitale de l'Australie ?").abstained
    # After another question the context makes any passage look relevant; the name does not.
    first = seed_assistant.ask("Qui dirige l'ONUDC ?")
    assert not first.abstained
    weather = seed_assistant.ask("Quel temps fera-t-il demain à Paris ?", history=[first])
    assert weather.abstained and weather.citations == []


def test_follow_up_question_uses_the_previous_one(seed_assistant):
    first = seed_assistant.ask("Qui dirige l'ONUDC ?")
    assert "Ghada Waly" in first.answer
    follow = seed_assistant.ask("Qu'a-t-elle promis au Vietnam ?", history=[first])
    assert not follow.abstained
    assert "assistance technique" in follow.answer
    assert follow.citations[0].quote.startswith("L’ONUDC a affirmé son engagement")


@pytest.mark.parametrize("opening", ["Quel organisme dirige Ghada Waly ?"])
def test_follow_up_after_other_openings_gives_the_commitments(seed_assistant, opening):
    first = seed_assistant.ask(opening)
    assert "Ghada Waly" in first.answer
    follow = seed_assistant.ask("Qu'a-t-elle promis au Vietnam ?", history=[(first.question, first.answer)])
    assert "assistance technique" in follow.answer


def test_english_follow_up_question_uses_the_previous_turn(seed_assistant):
    first = seed_assistant.ask("Who is the executive director of UNODC?")
    assert "Ghada Waly" in first.answer
    follow = seed_assistant.ask("What did UNODC commit to for Vietnam?", history=[(first.question, first.answer)])
    assert "assistance technique" in follow.answer
    follow = seed_assistant.ask("And what did she promise to Vietnam?", history=[first])
    assert "assistance technique" in follow.answer


def test_answer_is_short_and_reports_timings(seed_assistant):
    answer = seed_assistant.ask("Où la convention a-t-elle été signée ?")
    assert "Hanoï" in answer.answer or "Hanoi" in answer.answer
    assert len(answer.answer.split()) <= 120
    assert {"embed_ms", "dense_ms", "lexical_ms", "answer_ms", "total_ms"} <= answer.timings.keys()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("\x00\x01\x02", "empty"),
        ("x" * 2001, "limit is 2,000"),
        ("?!…", "no words"),
    ],
)
def test_bad_questions_are_refused_with_a_value_error(seed_assistant, question, message):
    with pytest.raises(ValueError, match=message):
        seed_assistant.ask(question)
