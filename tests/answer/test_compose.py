"""The composer: answer excerpts (at most N words of the quoted sentence, centred on the short
answer), and the Answer built from hand-built passages and readings (no model): citation
order, exact offsets, the short answer matched by offsets, abstention, the relevance bar."""

from __future__ import annotations

import pytest

from convqa.answer.compose import Composer, excerpt
from convqa.answer.reading import Reading, SpanCandidate
from convqa.retrieval.types import Query
from handmade import ARTICLES, BRIDGE, passage, sentence

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

SENTENCE = (
    "Lors de la réception, rendant compte au Secrétaire général To Lam et aux chefs de délégation des "
    "résultats de la cérémonie de signature de la Convention de Hanoï, le général Luong Tam Quang, ministre "
    "de la Sécurité publique, a déclaré que 110 pays et organisations internationales avaient participé."
)


def test_a_short_sentence_is_kept_whole():
    assert excerpt("Le pont a coûté 4,7 millions d'euros.", 16, 35, 40) == "Le pont a coûté 4,7 millions d'euros."


def test_a_long_sentence_is_cut_around_the_focus_with_ellipses():
    at = SENTENCE.index("110 pays")
    shown = excerpt(SENTENCE, at, at + len("110 pays"), 12)
    assert "110 pays" in shown and shown.startswith("…") and len(shown.strip("…").split()) == 12
    assert shown.strip("…") in SENTENCE  # the article's own words, in order


def test_a_focus_at_the_start_is_not_padded_before():
    shown = excerpt(SENTENCE, 0, 4, 10)
    assert not shown.startswith("…") and shown.endswith("…") and shown.startswith("Lors de la réception")


# -- the composer, on hand-built passages and readings (no model) -------------------------------


def span_in(doc_id: str, words: str, *, short: bool) -> SpanCandidate:
    """The span of ``words`` in the article, as a step would give it."""
    at = ARTICLES[doc_id].index(words)
    return SpanCandidate(doc_id, at, at + len(words), words, score=3.0, short=short)


def assert_exact(answer) -> None:
    for c in answer.citations:
        article = ARTICLES[c.doc_id]
        assert article[c.start : c.end] == c.text and article[c.quote_start : c.quote_end] == c.quote
        assert c.start <= c.quote_start < c.quote_end <= c.end


def test_citations_follow_each_passage_best_sentence_with_exact_quotes():
    passages = [passage("port-marseille"), passage("pont-millau", 0, 84), passage("pont-millau", 85)]
    reading = Reading(
        (
            sentence(passages, 2, "400 millions", 0.9),
            sentence(passages, 0, "77 millions", 0.7),
            sentence(passages, 2, "245 mètres", 0.6),
            sentence(passages, 1, "inauguré", 0.5),
        ),
        abstain=False,
    )
    answer = Composer().run(Query("Combien a coûté le pont ?"), passages, reading, limit=8)
    assert [c.doc_id for c in answer.citations] == ["pont-millau", "port-marseille", "pont-millau"]
    assert [c.n for c in answer.citations] == [1, 2, 3]
    assert [c.score for c in answer.citations] == [0.9, 0.7, 0.5]
    assert answer.citations[0].quote.startswith("Il a coûté 400 millions") and answer.citations[2].quote.startswith(
        "Le pont"
    )
    assert answer.answer == f"{answer.citations[0].quote} [1]" and answer.short is None and not answer.abstained
    assert_exact(answer)
    assert len(Composer().run(Query("Combien a coûté le pont ?"), passages, reading, limit=2).citations) == 2


def test_a_confident_span_is_the_short_answer_with_the_quote_around_it():
    passages = [passage("pont-millau")]
    best = sentence(passages, 0, "400 millions", 0.9)
    reading = Reading(
        (best, sentence(passages, 0, "245 mètres", 0.2)),
        (span_in("pont-millau", "400 millions d'euros", short=True),),
        abstain=False,
    )
    answer = Composer().run(Query("Combien a coûté le pont ?"), passages, reading, limit=8)
    short = answer.short
    assert (short.text, short.doc_id, short.n) == ("400 millions d'euros", "pont-millau", 1)
    assert BRIDGE[short.start : short.end] == short.text
    first = answer.citations[0]
    assert first.quote_start <= short.start < short.end <= first.quote_end
    assert answer.answer == f"400 millions d'euros — « {first.quote} » [1]"
    english = Composer().run(Query("How much did the bridge cost?", language="en"), passages, reading, limit=8)
    assert english.answer == f"400 millions d'euros — “{first.quote}” [1]"
    assert_exact(answer)


def test_a_long_sentence_is_cut_around_the_short_answer():
    passages = [passage("port-long")]
    reading = Reading(
        (sentence(passages, 0, "77 millions", 0.9),),
        (span_in("port-long", "77 millions de tonnes", short=True),),
        abstain=False,
    )
    answer = Composer().run(Query("Combien de tonnes ?"), passages, reading, limit=8)
    quoted = answer.answer.split("« ", 1)[1].rsplit(" »", 1)[0]
    assert quoted.endswith("…") and "77 millions de tonnes" in quoted
    assert len(answer.answer.replace(" [1]", "").split()) <= 40
    assert quoted.strip("…") in answer.citations[0].quote  # the article's own words


def test_spans_are_matched_to_the_cited_sentence_by_offsets():
    passages = [passage("pont-millau"), passage("port-marseille")]
    head = sentence(passages, 0, "400 millions", 0.9)
    # Same offsets in another article, and a span of a lower sentence: neither belongs to [1].
    elsewhere = SpanCandidate("port-marseille", head.start + 11, head.start + 31, "400 millions d'euros", short=True)
    lower = span_in("pont-millau", "245 mètres", short=True)
    reading = Reading(
        (head, sentence(passages, 0, "245 mètres", 0.3), sentence(passages, 1, "77 millions", 0.2)),
        (elsewhere, lower),
        abstain=False,
    )
    answer = Composer().run(Query("Combien a coûté le pont ?"), passages, reading, limit=8)
    assert answer.short is None and answer.answer == f"{head.text} [1]"
    # The same span with offsets inside the sentence is the short answer.
    inside = span_in("pont-millau", "400 millions d'euros", short=True)
    answer = Composer().run(
        Query("Combien a coûté le pont ?"),
        passages,
        Reading(reading.sentences, (elsewhere, inside), abstain=False),
        limit=8,
    )
    assert answer.short is not None and (answer.short.start, answer.short.end) == (inside.start, inside.end)


def test_an_unconfident_span_centres_the_excerpt_without_a_short_answer():
    passages = [passage("pont-millau")]
    reading = Reading(
        (sentence(passages, 0, "245 mètres", 0.9),), (span_in("pont-millau", "245 mètres", short=False),), abstain=False
    )
    answer = Composer().run(Query("Quelle hauteur ?"), passages, reading, limit=8)
    assert answer.short is None and answer.answer == f"{answer.citations[0].quote} [1]"
    assert "245 mètres" in answer.answer


def test_abstention_speaks_the_question_language_and_cites_nothing():
    passages = [passage("pont-millau")]
    reading = Reading((sentence(passages, 0, "400 millions", 0.9),), abstain=True)
    fr = Composer().run(Query("Quelle est la capitale de l'Australie ?"), passages, reading, limit=8)
    en = Composer().run(Query("What is the capital of Australia?", language="en"), passages, reading, limit=8)
    assert (
        fr.abstained
        and not fr.citations
        and fr.answer == "Je ne trouve pas de réponse à cette question dans les articles indexés."
    )
    assert (
        en.abstained
        and en.language == "en"
        and en.answer == "I could not find an answer to this question in the indexed articles."
    )
    assert Composer().run(Query("Et alors ?"), passages, Reading(abstain=False), limit=8).abstained


def test_passages_under_the_relevance_bar_are_not_cited_but_the_first_always_is():
    passages = [passage("pont-millau", 0, 84), passage("port-marseille"), passage("pont-millau", 85)]
    reading = Reading(
        (
            sentence(passages, 1, "77 millions", 0.9),
            sentence(passages, 0, "inauguré", 0.8),
            sentence(passages, 2, "245 mètres", 0.7),
        ),
        abstain=False,
        relevance={0: 0.1, 1: 0.05, 2: 0.5},
    )
    barred = Composer(min_relevance=0.3).run(Query("Combien de tonnes ?"), passages, reading, limit=8)
    assert [c.doc_id for c in barred.citations] == ["port-marseille", "pont-millau"]
    assert barred.citations[1].quote.startswith("Sa pile")
    unbarred = Composer().run(Query("Combien de tonnes ?"), passages, reading, limit=8)
    assert len(unbarred.citations) == 3


def test_a_short_quoted_sentence_runs_on_to_the_next():
    passages = [passage("pont-millau")]
    short_one = sentence(passages, 0, "Court et clair", 0.9)
    answer = Composer().run(Query("Comment ?"), passages, Reading((short_one,), abstain=False), limit=8)
    first = answer.citations[0]
    assert first.quote_start == short_one.start and first.quote.startswith("Court et clair. Sa pile")
    assert first.quote.endswith("du monde.") and BRIDGE[first.quote_start : first.quote_end] == first.quote
    # With a confident span inside it, the short sentence is quoted alone.
    span = span_in("pont-millau", "Court", short=True)
    alone = Composer().run(Query("Comment ?"), passages, Reading((short_one,), (span,), abstain=False), limit=8)
    assert alone.citations[0].quote == "Court et clair."
