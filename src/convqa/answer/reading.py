"""What an answer step returns: typed candidates located by article offsets.

A step says which sentences may answer (``SentenceCandidate``), which spans inside them are
the fact itself (``SpanCandidate``) and how likely it is that the passages answer at all.
Everything is located by ``doc_id``, ``start`` and ``end`` in the article's text, so the
composer matches a span to its sentence by offsets, whichever step produced them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SentenceCandidate:
    """A sentence of a retrieved passage; ``article.text[start:end] == text``."""

    #: Index of its passage in the retrieved list (overlapping chunks can hold the same sentence).
    passage: int
    doc_id: str
    start: int
    end: int
    text: str
    #: Share of the question's words (IDF-weighted) the sentence holds.
    coverage: float = 0.0
    #: Named signals (cue, proximity, repeat, prior, cosine, margin, …) for the answer steps.
    features: Mapping[str, float] = field(default_factory=dict)
    #: The answer step's score: candidates are shown best first.
    score: float = 0.0

    @property
    def prior(self) -> float:
        """The cheap score, when a step computed one."""
        return self.features.get("prior", 0.0)

    def holds(self, span: SpanCandidate) -> bool:
        """True when ``span`` lies inside this sentence (same article, within its offsets)."""
        return span.doc_id == self.doc_id and self.start <= span.start and span.end <= self.end


@dataclass(frozen=True)
class SpanCandidate:
    """A short answer inside a candidate sentence: ``article.text[start:end] == text``."""

    doc_id: str
    start: int
    end: int
    text: str
    #: How strongly the span answers (the reader's margin over "no answer here").
    score: float = 0.0
    #: True when the step is confident enough to give the span as the short answer.
    short: bool = False


@dataclass(frozen=True)
class Reading:
    """An answer step's verdict on the retrieved passages."""

    #: Candidate sentences, best first.
    sentences: tuple[SentenceCandidate, ...] = ()
    #: Spans inside those sentences, best first (empty when the step finds none).
    spans: tuple[SpanCandidate, ...] = ()
    #: 0..1: how likely the passages answer (None when the step does not estimate it).
    answerable: float | None = None
    #: True when the passages do not answer the question.
    abstain: bool = True
    #: 0..1 per passage index: how well the passage supports an answer (None: not estimated,
    #: every passage may be cited).
    relevance: Mapping[int, float] | None = None
    #: The span model's best span in the best sentence (the one quoted), whatever its
    #: confidence (None: no span model ran); the typed short answer is given only where it
    #: agrees (``answer/typed_short.py``).
    best_span: SpanCandidate | None = None
    #: For training only (the answerability calibration is fitted on them): the signals
    #: ``answerable`` was computed from, those of the best sentence. None when not estimated.
    answerable_inputs: Mapping[str, float] | None = None

    @property
    def best_sentence(self) -> SentenceCandidate:
        """The best-scored sentence: the one the composer quotes (the Reading must hold one)."""
        return max(self.sentences, key=lambda c: c.score)
