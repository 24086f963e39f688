"""The retrieval steps on a hand-built lexical index: no model, no store.

A question's steps read the IndexView they are handed, and a step that refines the Query
returns a new one (the Query is frozen).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from convqa.answer.types import Answer, Citation
from convqa.conversation import Turn
from convqa.index.lexical import LexicalIndex
from convqa.index.view import IndexView
from convqa.question import make_query
from convqa.retrieval.lexical import LexicalRetriever
from convqa.retrieval.neighbours import NeighbourPassages, SaidPositions, quoted_words
from convqa.retrieval.types import Passage, Query

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

ARTICLE = (
    "La fête du cidre a attiré 12 000 visiteurs à Lannilis. "
    "Le comité a vendu quatre mille bouteilles. "
    "La prochaine édition aura lieu en octobre 2027."
)


def _index() -> IndexView:
    """Two chunks of one article and one of another, with their offsets."""
    first_end = ARTICLE.index("La prochaine")
    chunks = [
        (
            "c1",
            ARTICLE[:first_end].rstrip(),
            {"doc_id": "cidre", "title": "Fête du cidre", "start": 0, "end": len(ARTICLE[:first_end].rstrip())},
        ),
        (
            "c2",
            ARTICLE[first_end:],
            {"doc_id": "cidre", "title": "Fête du cidre", "start": first_end, "end": len(ARTICLE)},
        ),
        (
            "c3",
            "Le tramway de Brest a été prolongé de trois kilomètres.",
            {"doc_id": "tram", "title": "Tramway", "start": 0, "end": 55},
        ),
    ]
    for _, text, meta in chunks:
        meta["sentences"] = json.dumps([[0, len(text)]])
    ids, texts, metas = zip(*chunks)
    return IndexView(LexicalIndex(list(ids), list(texts), list(metas)), revision="r1")


def test_a_query_is_frozen():
    query = make_query("Combien de visiteurs ?", [])
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.text = "autre chose"  # type: ignore[misc]


def test_the_lexical_retriever_reads_the_view_it_is_handed():
    view = _index()
    hits = LexicalRetriever(limit=2).run(Query("Combien de visiteurs à la fête du cidre ?"), view)
    assert [p.chunk_id for p in hits][0] == "c1"
    assert hits[0].signals["lexical_rank"] == 1
    # Another view, another answer: nothing is cached in the step.
    other = IndexView(LexicalIndex(["t"], ["Le tramway de Brest"], [{"doc_id": "tram", "start": 0}]))
    assert [p.chunk_id for p in LexicalRetriever(limit=2).run(Query("tramway"), other)] == ["t"]


def test_said_positions_returns_a_new_query_with_where_the_text_was_quoted():
    view = _index()
    previous = "Le comité a vendu quatre mille bouteilles. [1]"
    query = make_query(
        "Et combien a-t-elle coûté ?",
        [Turn("Combien de bouteilles ?", Answer(question="Combien de bouteilles ?", answer=previous, abstained=False))],
    )
    assert query.said == () and query.said_texts == (previous,)
    located = SaidPositions().run(query, view)
    start = ARTICLE.index("Le comité")
    assert located is not query and query.said == ()
    doc, a, b = located.said[-1]
    assert doc == "cidre" and ARTICLE[a:b].startswith("Le comité a vendu")
    assert a == start
    assert located.near == located.said[-1]


@pytest.mark.parametrize(
    ("previous", "quoted"),
    [
        # A short answer leads; its quote is cut to the words around it.
        ("quatre mille bouteilles — « …vendu quatre mille bouteilles. » [1]", "vendu quatre mille bouteilles."),
        ("four thousand — “Le comité a vendu quatre mille…” [1]", "Le comité a vendu quatre mille"),
        ("…comité a vendu quatre… [1]", "comité a vendu quatre"),
    ],
)
def test_an_excerpt_answer_is_located_by_its_quoted_words(previous, quoted):
    assert quoted_words(previous) == quoted
    turn = Turn("Combien de bouteilles ?", Answer(question="Combien de bouteilles ?", answer=previous, abstained=False))
    located = SaidPositions().run(make_query("Et combien a-t-elle coûté ?", [turn]), _index())
    doc, a, b = located.said[-1]
    assert doc == "cidre" and ARTICLE[a:b] == quoted


def test_quotation_marks_inside_a_quoted_sentence_are_kept():
    assert quoted_words("Il a dit « oui » au projet. [1]") == "Il a dit « oui » au projet."
    assert quoted_words("« Oui », a-t-il dit. [1]") == "« Oui », a-t-il dit."


def test_a_question_that_stands_alone_is_left_as_it_is():
    query = make_query("Combien de visiteurs à la fête du cidre de Lannilis ?", [])
    assert SaidPositions().run(query, _index()) is query


def test_neighbours_of_the_previous_quote_are_brought_in():
    view = _index()
    cited = Citation(
        n=1,
        doc_id="cidre",
        title="Fête du cidre",
        source="",
        text=ARTICLE,
        start=0,
        end=len(ARTICLE),
        quote=ARTICLE[:10],
        quote_start=0,
        quote_end=10,
        score=1.0,
    )
    turn = Turn(
        "Combien de visiteurs ?",
        Answer(question="Combien de visiteurs ?", answer="…", abstained=False, citations=[cited]),
    )
    query = make_query("Et quand aura lieu la prochaine ?", [turn])
    passages = [Passage("c3", "Le tramway…", {"doc_id": "tram", "start": 0}, score=0.5)]
    out = NeighbourPassages().run(query, passages, view)
    marked = {p.chunk_id for p in out if p.signals.get("neighbour")}
    assert marked == {"c1", "c2"}
    assert [p.score for p in out if p.chunk_id == "c2"] == [0.5]  # added at the list's floor


def test_no_previous_quote_no_neighbours():
    query = make_query("Combien de visiteurs à la fête du cidre ?", [])
    passages = [Passage("c3", "Le tramway…", {"doc_id": "tram", "start": 0})]
    assert NeighbourPassages().run(query, passages, _index()) == passages
