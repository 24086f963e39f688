"""An answer step (``CONVQA_ANSWERER=blended``): the learned sentence ranker's scores blended
with the hand-tuned step's, and the hand-tuned step's citing.

The two rank different sentences first often enough that a mix beats either alone: on the
dev articles of PIAF ``tune`` (``scripts/measure_blend.py``, docs/eval/blend-dev.json) a
weight of 0.8 on the model was the best French quote_hit@1 for EmbeddingGemma (0.631 against
0.622 for the model alone and 0.621 for the hand-tuned step), within two questions of the
model alone for e5 (0.574 / 0.578 / 0.547), and the best or tied on the English dev
questions of both. Each step's scores are standardised over the question's sentences
first: their scales differ.

Everything else is the learned step's: the short answer, the answerability probability and
the abstention (the same verdicts as the hand-tuned step's, ``answer/thresholds.py``). Which
passages are cited is the hand-tuned step's support, which lets a broad question cite every
passage that could answer it on its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convqa.answer.learned import LearnedInputs, LearnedStep, Models
from convqa.answer.sentences import SentenceScorer
from convqa.index.view import IndexView
from convqa.retrieval.types import Passage, Query

#: The model's share of the blended score (1: the model alone, 0: the hand-tuned step alone).
MODEL_WEIGHT = 0.8


def standardised(scores: np.ndarray) -> np.ndarray:
    """``scores`` less their mean, over their spread (zeros when they are all equal)."""
    spread = float(scores.std())
    return (scores - float(scores.mean())) / spread if spread > 0 else np.zeros_like(scores)


def blend(model: np.ndarray, hand: np.ndarray, weight: float = MODEL_WEIGHT) -> np.ndarray:
    """One question's sentence scores: ``weight`` of the model's and the rest of the
    hand-tuned step's, each standardised first."""
    return weight * standardised(model) + (1 - weight) * standardised(hand)


class BlendedStep(LearnedStep):
    """Answer step: the trained models, with the sentences ordered by a blend of the model's
    and the hand-tuned step's scores."""

    def __init__(
        self,
        resources: Any,
        models: Models,
        abstain_below: dict[str, float] | None = None,
        weight: float = MODEL_WEIGHT,
    ) -> None:
        super().__init__(resources, models, abstain_below)
        self.hand = SentenceScorer(resources.sentence_vectors, resources.calibration)
        self.weight = weight
        self.description = f"blended ({weight:g} learned, sha256 {models.sha256[:12]}; {1 - weight:g} hand-tuned)"

    def _ranking(
        self, query: Query, passages: list[Passage], index: IndexView, x: LearnedInputs, scores: np.ndarray
    ) -> tuple[np.ndarray, dict[int, float] | None]:
        """The blend (the hand-tuned order for a follow-up), and the hand-tuned support."""
        reading = self.hand.run(query, passages, index)
        by_place = {(c.passage, c.start): c.score for c in reading.sentences}
        # Both steps read the same candidates (answer/candidates.py): matched by place.
        hand = np.array([by_place[(c.passage, c.start)] for c in x.candidates])
        if query.context:
            # A follow-up read with the previous question: the model never saw one (PIAF has
            # no conversations) and reads only the follow-up's own words, in which « elle »
            # names nobody; the hand-tuned order weighs the previous quote's neighbourhood.
            return hand, reading.relevance
        # Read alone, no conversation rule applies (they need the context): ``scores`` are
        # the model's own.
        return blend(scores, hand, self.weight), reading.relevance
