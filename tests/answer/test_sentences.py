"""The hand-tuned sentence scorer on hand-built passages and a real lexical index built from
rows: the kind of thing asked, the repeat penalty, proximity to the previous quote, and
abstention on names no article mentions. No embedding model: French questions whose words
are found never need the sentences' vectors."""

from __future__ import annotations

import pytest

from convqa.answer.candidates import SentenceVectors
from convqa.answer.prerank import COVERAGE_WEIGHT, CUE_BONUS, PROXIMITY_BONUS, REPEAT_PENALTY, passage_prior
from convqa.answer.sentences import SentenceScorer
from convqa.index.view import IndexView
from convqa.model.calibration import Calibration
from convqa.retrieval.types import Query
from handmade import ARTICLES, lexical_over, passage

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

PASSAGES = [passage("pont-millau", dense=0.88), passage("port-marseille", score=0.5, dense=0.80)]
INDEX = IndexView(lexical_over(PASSAGES))


def scorer() -> SentenceScorer:
    # No stored vectors and no embedder: the tests below must not reach for them.
    return SentenceScorer(SentenceVectors(embedder=None), Calibration())


def test_sentences_holding_the_kind_of_thing_asked_get_the_cue_bonus():
    reading = scorer().run(Query("Combien a coûté le pont de Millau ?"), PASSAGES, INDEX)
    by_start = {c.text[:12]: c for c in reading.sentences}
    assert by_start["Il a coûté 4"].features["cue"] == 1.0 and by_start["Court et cla"].features["cue"] == 0.0
    assert not reading.abstain and reading.spans == () and reading.answerable is None
    scores = [c.score for c in reading.sentences]
    assert scores == sorted(scores, reverse=True)
    standing = passage_prior(PASSAGES, Calibration())
    for c in reading.sentences:  # the score is the pre-rank: standing, coverage, cue bonus
        assert ARTICLES[c.doc_id][c.start : c.end] == c.text
        assert c.score == c.prior == standing[c.passage] + COVERAGE_WEIGHT * c.coverage + CUE_BONUS * c.features["cue"]
    # "qui" asks for a name: only the sentence naming Hervé Martel has one.
    who = scorer().run(Query("Qui dirige le port de Marseille ?"), PASSAGES, INDEX)
    cues = {c.text[:13]: c.features["cue"] for c in who.sentences if c.doc_id == "port-marseille"}
    assert cues == {"Son directeur": 1.0, "Le port de Ma": 0.0}


def test_a_sentence_the_conversation_already_gave_comes_last():
    first = scorer().run(Query("Combien a coûté le pont de Millau ?"), PASSAGES, INDEX).sentences[0]
    assert "repeat" not in first.features
    said = [(first.doc_id, first.start, first.end)]
    asked = "Combien a coûté le pont de Millau ?"
    again = scorer().run(Query(asked, context=asked, said=said), PASSAGES, INDEX)
    repeated = next(c for c in again.sentences if (c.doc_id, c.start, c.end) == said[0])
    assert repeated.features["repeat"] == 1.0 and again.sentences[0] != repeated
    assert repeated.score == first.score - REPEAT_PENALTY
    # A sentence known only by its text counts as said too.
    by_text = scorer().run(Query(asked, context=asked, said_texts=[first.text]), PASSAGES, INDEX)
    assert by_text.sentences[0].start != first.start
    # So does a sentence of which the answer quoted only an excerpt (located by its words).
    cut = [(first.doc_id, first.start + 5, first.end - 5)]
    excerpt = scorer().run(Query(asked, context=asked, said=cut), PASSAGES, INDEX)
    assert next(c for c in excerpt.sentences if (c.doc_id, c.start) == (first.doc_id, first.start)).features["repeat"]
    # Read alone, the question gets the same answer again: the quote is only marked as given.
    alone = scorer().run(Query(asked, said=said), PASSAGES, INDEX).sentences[0]
    assert (alone.start, alone.score) == (first.start, first.score) and alone.features["given"] == 1.0
    assert "repeat" not in alone.features


def test_a_follow_up_prefers_sentences_near_the_previous_quote():
    at = ARTICLES["pont-millau"].index("Sa pile")
    said = [("pont-millau", at, len(ARTICLES["pont-millau"]))]
    query = Query("Et combien a-t-il coûté ?", context="Quelle est la hauteur du pont de Millau ?", said=said)
    reading = scorer().run(query, PASSAGES, INDEX)
    near = {c.text[:12]: c.features.get("proximity", 0.0) for c in reading.sentences if c.doc_id == "pont-millau"}
    assert near["Court et cla"] > near["Il a coûté 4"] > near["Le pont de M"] > 0.0
    assert all("proximity" not in c.features for c in reading.sentences if c.doc_id == "port-marseille")
    alone = scorer().run(Query("Et combien a-t-il coûté ?", context=query.context), PASSAGES, INDEX)
    close = {(c.doc_id, c.start): c.score for c in alone.sentences}
    for c in reading.sentences:
        if not c.features.get("repeat"):
            assert c.score == pytest.approx(
                close[c.doc_id, c.start] + PROXIMITY_BONUS * c.features.get("proximity", 0.0)
            )


def test_support_rates_each_passage_and_unknown_names_abstain():
    # The bridge passage is far from the question by its vector and holds none of its words.
    passages = [passage("pont-millau", dense=0.78), passage("port-marseille", dense=0.86)]
    reading = scorer().run(
        Query("Combien de tonnes de marchandises le port de Marseille a-t-il traitées ?"), passages, INDEX
    )
    assert reading.sentences[0].doc_id == "port-marseille" and not reading.abstain
    assert reading.relevance[0] == 0.0 and reading.relevance[1] >= reading.sentences[0].coverage > 0.3
    nowhere = scorer().run(Query("Quelle est la capitale de l'Australie ?"), PASSAGES, INDEX)
    assert nowhere.abstain
    assert scorer().run(Query("Combien ?"), [], INDEX).abstain
