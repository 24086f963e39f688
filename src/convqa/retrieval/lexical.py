"""Lexical retrieval: French-analyzed BM25 over the same chunks as the vector store."""

from __future__ import annotations

from collections.abc import Callable

from convqa.index.lexical import LexicalIndex
from convqa.retrieval.types import Passage, Query


class LexicalRetriever:
    """The ``limit`` best BM25 passages for the query's words.

    ``index`` is a callable rather than an index: the assistant swaps in a fresh BM25
    index when another process re-indexes, and the retriever must see the current one.
    """

    def __init__(self, index: Callable[[], LexicalIndex], limit: int = 30) -> None:
        self.index = index
        self.limit = limit

    def run(self, query: Query) -> list[Passage]:
        """Passages, best first, with ``signals["lexical"]`` (BM25) and ``["lexical_rank"]``."""
        lexical = self.index()
        return [
            Passage(lexical.ids[hit.row], lexical.texts[hit.row], lexical.metadatas[hit.row],
                    signals={"lexical": hit.score, "lexical_rank": rank})
            for rank, hit in enumerate(lexical.search(query.search_text, self.limit), 1)
        ]
