"""Lexical retrieval: French-analyzed BM25 over the same chunks as the vector store."""

from __future__ import annotations

from convqa.index.view import IndexView
from convqa.retrieval.types import Passage, Query


class LexicalRetriever:
    """The ``limit`` best BM25 passages for the query's words, from the question's index view
    (the index in use when the question started, whatever re-indexing happens meanwhile)."""

    def __init__(self, limit: int = 30) -> None:
        self.limit = limit

    def run(self, query: Query, index: IndexView) -> list[Passage]:
        """Passages, best first, with ``signals["lexical"]`` (BM25) and ``["lexical_rank"]``."""
        lexical = index.lexical
        return [
            Passage(
                lexical.ids[hit.row],
                lexical.texts[hit.row],
                lexical.metadatas[hit.row],
                signals={"lexical": hit.score, "lexical_rank": rank},
            )
            for rank, hit in enumerate(lexical.search(query.search_text, self.limit), 1)
        ]
