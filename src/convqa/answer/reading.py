"""What an answer step returns: its candidates ranked, and whether they answer at all."""

from __future__ import annotations

from dataclasses import dataclass, field

from convqa.answer.candidates import Candidate


@dataclass
class Span:
    """The short answer inside a candidate sentence (article offsets)."""

    candidate: Candidate
    start: int
    end: int
    text: str


@dataclass
class Reading:
    """An answer step's verdict on the retrieved passages."""

    #: Candidate sentences, best first.
    candidates: list[Candidate] = field(default_factory=list)
    #: True when the passages do not answer the question.
    abstain: bool = True
    #: 0..1: how likely the passages answer (None when the step does not estimate it).
    answerable: float | None = None
    #: The fact itself, when the step found it confidently.
    short: Span | None = None
    #: The best span found, confident or not (for reading-comprehension scores).
    span: Span | None = None
    #: Passage indexes in the order to cite them (default: by their best candidate).
    order: list[int] | None = None
    #: What the answerability estimate was computed from (the best candidate's signals).
    answer_features: dict[str, float] | None = None
    #: 0..1 per passage index: how well the passage supports an answer (None: not estimated,
    #: every passage may be cited).
    relevance: dict[int, float] | None = None
