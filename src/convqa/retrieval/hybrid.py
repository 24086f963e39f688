"""Hybrid retrieval: dense (e5 + Chroma) and lexical (French BM25) fused by reciprocal rank.

Reciprocal-rank fusion needs no score calibration between the two retrievers, which is
why it is the usual choice. Overlapping chunks of one article (the chunker overlaps them
by a sentence) are near duplicates: only the better ranked one is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from convqa.index.lexical import LexicalIndex
from convqa.index.vectors import DenseHit


@dataclass
class Passage:
    """A retrieved chunk with where it sits in its article and why it was retrieved."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    score: float = 0.0
    dense: float | None = None
    dense_rank: int | None = None
    lexical: float | None = None
    lexical_rank: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        """Article id."""
        return str(self.metadata.get("doc_id", ""))

    @property
    def start(self) -> int:
        """Offset of the passage in its article."""
        return int(self.metadata.get("start", 0))

    @property
    def end(self) -> int:
        """End offset (exclusive) of the passage in its article."""
        return int(self.metadata.get("end", self.start + len(self.text)))

    def sentence_spans(self) -> list[tuple[int, int]]:
        """Sentence spans relative to the passage text."""
        raw = self.metadata.get("sentences")
        if raw:
            return [tuple(s) for s in json.loads(raw)]
        return [(0, len(self.text))]


def rrf(rankings: list[list[str]], k: int = 60, weights: list[float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion of ranked id lists: sum of w / (k + rank)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, chunk_id in enumerate(ranking, 1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank)
    return fused


def _overlap(a: Passage, b: Passage) -> float:
    """Share of the shorter passage covered by the other one (same article only)."""
    if a.doc_id != b.doc_id:
        return 0.0
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return 0.0
    return inter / max(1, min(a.end - a.start, b.end - b.start))


def fuse(
    dense: list[DenseHit],
    lexical_hits: list[tuple[int, float]],
    lexical: LexicalIndex,
    *,
    k: int = 60,
    limit: int = 10,
    dense_weight: float = 1.0,
    lexical_weight: float = 1.0,
    max_overlap: float = 0.6,
) -> list[Passage]:
    """Fuse both rankings, drop near-duplicates, return the best ``limit`` passages."""
    passages: dict[str, Passage] = {}
    for rank, hit in enumerate(dense, 1):
        passages[hit.chunk_id] = Passage(hit.chunk_id, hit.text, hit.metadata, dense=hit.similarity, dense_rank=rank)
    for rank, (row, score) in enumerate(lexical_hits, 1):
        chunk_id = lexical.ids[row]
        passage = passages.get(chunk_id)
        if passage is None:
            passage = passages[chunk_id] = Passage(chunk_id, lexical.texts[row], lexical.metadatas[row])
        passage.lexical, passage.lexical_rank = score, rank
    fused = rrf(
        [[h.chunk_id for h in dense], [lexical.ids[r] for r, _ in lexical_hits]],
        k=k,
        weights=[dense_weight, lexical_weight],
    )
    ranked = sorted(passages.values(), key=lambda p: fused[p.chunk_id], reverse=True)
    kept: list[Passage] = []
    for passage in ranked:
        passage.score = fused[passage.chunk_id]
        if any(_overlap(passage, other) > max_overlap for other in kept):
            continue
        kept.append(passage)
        if len(kept) >= limit:
            break
    return kept
