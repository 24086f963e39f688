"""Dense retrieval: the question's vector against the passages' vectors in Chroma."""

from __future__ import annotations

from convqa.index.vectors import VectorStore
from convqa.index.view import IndexView
from convqa.retrieval.types import Passage, Query


class DenseRetriever:
    """The ``limit`` passages nearest to the query vector (cosine)."""

    def __init__(self, store: VectorStore, limit: int = 30) -> None:
        self.store = store
        self.limit = limit

    def run(self, query: Query, index: IndexView | None = None) -> list[Passage]:
        """Passages, best first, with ``signals["dense"]`` (cosine) and ``["dense_rank"]``
        (``index`` is unused: the vector store is always current)."""
        if query.vector is None:
            raise ValueError("the query has no vector: the pipeline embeds it before retrieval")
        return [
            Passage(hit.chunk_id, hit.text, hit.metadata, signals={"dense": hit.similarity, "dense_rank": rank})
            for rank, hit in enumerate(self.store.search(query.vector, self.limit), 1)
        ]


class DenseScores:
    """Gives every passage its cosine with the question, including those found by BM25
    alone: answer steps compare passages on it."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store

    def run(self, query: Query, passages: list[Passage]) -> list[Passage]:
        """The same passages, each with ``signals["dense"]``."""
        missing = [p.chunk_id for p in passages if "dense" not in p.signals]
        if missing and query.vector is not None:
            found = self.store.similarities(query.vector, missing)
            for passage in passages:
                if passage.chunk_id in found:
                    passage.signals["dense"] = found[passage.chunk_id]
        return passages
