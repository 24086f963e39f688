"""Fusion of several rankings into one: reciprocal-rank fusion, near-duplicates dropped.

Reciprocal-rank fusion needs no score calibration between retrievers, which is why it is
the usual choice for hybrid search. Overlapping chunks of one article (the chunker
overlaps them by a sentence) are near duplicates: only the better ranked one is kept.
"""

from __future__ import annotations

from convqa.retrieval.types import Passage


def rrf(rankings: list[list[str]], k: int = 60, weights: list[float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion of ranked id lists: sum of w / (k + rank)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, chunk_id in enumerate(ranking, 1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank)
    return fused


class RRFFusion:
    """Fuses the retrievers' lists; each passage keeps every retriever's signals."""

    def __init__(
        self, k: int = 60, limit: int = 10, max_overlap: float = 0.6, weights: list[float] | None = None
    ) -> None:
        self.k = k
        self.limit = limit
        self.max_overlap = max_overlap
        self.weights = weights

    def run(
        self, rankings: list[list[Passage]], limit: int | None = None, weights: list[float] | None = None
    ) -> list[Passage]:
        """The best ``limit`` passages of all rankings, fused, without near-duplicates
        (``weights``: each ranking's, for this question; default: the step's own)."""
        merged: dict[str, Passage] = {}
        for ranking in rankings:
            for passage in ranking:
                kept = merged.setdefault(passage.chunk_id, passage)
                if kept is not passage:
                    kept.signals.update(passage.signals)
        fused = rrf([[p.chunk_id for p in ranking] for ranking in rankings], k=self.k, weights=weights or self.weights)
        ranked = sorted(merged.values(), key=lambda p: fused[p.chunk_id], reverse=True)
        kept_list: list[Passage] = []
        for passage in ranked:
            passage.score = passage.signals["fused"] = fused[passage.chunk_id]
            if any(passage.overlap(other) > self.max_overlap for other in kept_list):
                continue
            kept_list.append(passage)
            if len(kept_list) >= (limit or self.limit):
                break
        return kept_list
