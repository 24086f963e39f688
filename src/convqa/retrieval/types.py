"""The data that flows through a question's pipeline: a Query in, Passages out.

Every step of retrieval takes and returns these types, so a retriever, a fusion method
or a reranker can be swapped without the others knowing. What a step learned about a
passage goes into ``signals`` (a name → number map), not into new attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: (article id, start, end): a range of an article's text.
Position = tuple[str, int, int]


@dataclass(frozen=True)
class Query:
    """A validated question, ready for the pipeline's steps.

    Frozen: a step that refines the query (the pipeline embedding it, the conversation
    step locating earlier answers) returns a new one with ``dataclasses.replace``, so
    what one step saw is what the next step sees.
    """

    #: The question as asked (cleaned).
    text: str
    #: 'fr' or 'en': answers and abstentions use it.
    language: str = "fr"
    #: The previous question when this one leans on it (a follow-up), else "".
    context: str = ""
    #: Where earlier answers of the conversation quoted from (most recent last); kept for
    #: a question read alone too, where it only keeps those quotes out of its citations.
    said: tuple[Position, ...] = ()
    #: Earlier answers known only as text (older history shapes, without citations).
    said_texts: tuple[str, ...] = ()
    #: The question's vector (of ``search_text``), added by the pipeline before retrieval.
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: Articles to leave out, as if they were not indexed (evaluation of abstention).
    exclude: frozenset[str] = frozenset()
    #: Ranges of articles to leave out: a chunk overlapping one is not retrieved (the
    #: near-miss evaluation removes a question's own paragraph, the rest of its article kept).
    exclude_ranges: tuple[Position, ...] = ()

    def excludes(self, passage: "Passage") -> bool:
        """True when retrieval must leave ``passage`` out (its article, or a range of it)."""
        if passage.doc_id in self.exclude:
            return True
        return any(
            doc == passage.doc_id and passage.start < end and passage.end > start
            for doc, start, end in self.exclude_ranges
        )

    @property
    def search_text(self) -> str:
        """What retrieval looks for: the question, after the previous one when it follows up."""
        return f"{self.context} {self.text}" if self.context else self.text

    @property
    def near(self) -> Position | None:
        """Where the previous answer was quoted from (follow-ups often continue there)."""
        return self.said[-1] if self.context and self.said else None


@dataclass
class Passage:
    """A chunk of an article: ``article.text[start:end] == text``."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    #: The pipeline's current ranking score (fusion, then any reranker).
    score: float = 0.0
    #: What each step measured: "dense" (cosine), "lexical" (BM25), "dense_rank", …
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        """Article id."""
        return str(self.metadata.get("doc_id", ""))

    @property
    def title(self) -> str:
        """Article title."""
        return str(self.metadata.get("title", ""))

    @property
    def start(self) -> int:
        """Offset of the passage in its article."""
        return int(self.metadata.get("start", 0))

    @property
    def end(self) -> int:
        """End offset (exclusive) of the passage in its article."""
        return int(self.metadata.get("end", self.start + len(self.text)))

    def sentence_spans(self) -> list[tuple[int, int]]:
        """Sentence spans relative to the passage text (stored by the chunker)."""
        raw = self.metadata.get("sentences")
        if raw:
            return [tuple(s) for s in json.loads(raw)]
        return [(0, len(self.text))]

    def overlap(self, other: "Passage") -> float:
        """Share of the shorter of two passages of one article that the other covers."""
        if self.doc_id != other.doc_id:
            return 0.0
        inter = min(self.end, other.end) - max(self.start, other.start)
        if inter <= 0:
            return 0.0
        return inter / max(1, min(self.end - self.start, other.end - other.start))
