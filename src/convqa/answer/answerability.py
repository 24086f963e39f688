"""Whether the passages answer at all, decided after the answer step (``Settings.abstention``).

The hand-tuned step abstains by two thresholds, on the best passage's cosine and on how
much of the question the best sentence covers. Those catch questions far from every
article, but on PIAF ``test`` they answered three in four questions whose article is not
indexed, and nearly every near miss (the article is there, its answering paragraph is
not): an on-topic passage always has a fair cosine.

The learned step's answerability classifier (``answer/learned.py``) was trained for exactly
that: on ordinary questions against two kinds of negatives built from PIAF ``tune`` (the
question without its article, and without its own paragraph), Platt-scaled into one
probability. ``LearnedAnswerability`` gives that probability to a Reading that has none,
so the hand-tuned step keeps its sentence choice and abstains by the classifier, below a
threshold per language fitted for this use (``convqa.training.fit_abstention``, written as
``abstention.json`` beside the models). Its best typed span becomes the short answer when
the model is confident (the span model's threshold) and the span lies in the quoted
sentence.

``"rules"`` keeps the answer step's own verdict.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

import numpy as np

from convqa.answer.learned import (
    LearnedInputs,
    Models,
    ModelsError,
    answerable_probability,
    best_span,
    configured_models,
    learned_inputs,
)
from convqa.answer.reading import Reading, SpanCandidate
from convqa.answer.thresholds import fitted_thresholds, per_language
from convqa.index.view import IndexView
from convqa.retrieval.types import Passage, Query

log = logging.getLogger(__name__)


class Abstention(Protocol):
    """(Query, passages, Reading, view) → the Reading, with its verdict on answering."""

    description: str

    def run(self, query: Query, passages: list[Passage], reading: Reading, index: IndexView) -> Reading: ...


class RuleAbstention:
    """The answer step's own verdict, unchanged."""

    description = "rules (the answer step's own)"

    def run(self, query: Query, passages: list[Passage], reading: Reading, index: IndexView) -> Reading:
        """The Reading as it is."""
        return reading


class LearnedAnswerability:
    """The learned answerability classifier decides; the answer step's sentences stay."""

    def __init__(self, resources: Any, models: Models, abstain_below: dict[str, float] | None = None) -> None:
        self.resources = resources
        self.models = models
        #: The probability under which to abstain, for a French question ("fr") and another
        #: one ("other"); default: the learned step's own threshold.
        self.abstain_below = per_language(abstain_below, models.abstain_below)
        self.description = f"learned (sha256 {models.sha256[:12]})"

    def run(self, query: Query, passages: list[Passage], reading: Reading, index: IndexView) -> Reading:
        """The Reading with the classifier's probability; it abstains below the model's
        threshold, or where the answer step's own rules did (the names check among them)."""
        if reading.answerable is not None or not reading.sentences:  # judged already, or nothing to judge
            return reading
        x = learned_inputs(self.resources, query, passages, index)
        if x is None:
            return reading
        scores = self.models.sentence.predict(np.asarray(x.rows, dtype=float))
        span_f1, span = best_span(self.models, x, scores)
        probability = answerable_probability(self.models, x, scores, span_f1)
        threshold = self.abstain_below["fr" if query.language == "fr" else "other"]
        abstain = reading.abstain or probability < threshold
        spans = reading.spans
        # Only a confident span is handed on: the composer would centre the quote on any span,
        # and this step's sentence is not the one the span model's best span was chosen in.
        if not spans and span is not None and not abstain and span.score >= self.models.short_above:
            spans = (replace(span, short=True),)
        return replace(
            reading,
            answerable=probability,
            abstain=bool(abstain),
            spans=spans,
            best_span=None if abstain else self._quoted(x, scores, reading),
        )

    def _quoted(self, x: LearnedInputs, scores: np.ndarray, reading: Reading) -> SpanCandidate | None:
        """The span model's best span in the sentence the composer will quote (the Reading's
        best), for the typed short answer to agree with."""
        head = reading.best_sentence
        for i, s in enumerate(x.sentences):
            if x.passages[s.passage].doc == head.doc_id and (s.start, s.end) == (head.start, head.end):
                return best_span(self.models, x, scores, among=[i])[1]
        return None


def load_abstention(resources: Any) -> Abstention:
    """The configured abstention step; when the learned models are missing or corrupt, a
    one-line warning naming the fix, and the answer step's own rules."""
    settings = resources.settings
    if settings.abstention == "rules" or settings.answerer in ("learned", "blended"):  # the step judges itself
        return RuleAbstention()
    try:
        folder, models = configured_models(settings)
    except ModelsError as exc:
        log.warning(
            "%s: abstaining by the answer step's own rules instead. Fix: reinstall convqa, or set "
            "CONVQA_ABSTENTION=rules",
            exc,
        )
        step = RuleAbstention()
        step.description = f"rules (learned answerability unavailable: {exc})"
        return step
    return LearnedAnswerability(resources, models, fitted_thresholds(folder))
