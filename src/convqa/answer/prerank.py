"""The hand-tuned pre-rank of candidate sentences: its weights and formula, written once.

The hand-tuned step (``answer/sentences.py``) scores sentences with it, and the reader
(``answer/reader_step.py``) uses it to choose the few sentences it reads, so that both weigh
the same signals with the same weights.
"""

from __future__ import annotations

from collections.abc import Mapping

from convqa.model.calibration import Calibration
from convqa.retrieval.types import Passage

# Weights tuned on PIAF's tune split (a grid around them is flat within 0.01).
COVERAGE_WEIGHT = 0.45
CUE_BONUS = 0.08
REPEAT_PENALTY = 1.0
PROXIMITY_BONUS = 0.15


def passage_prior(passages: list[Passage], calibration: Calibration) -> list[float]:
    """Each passage's standing, 0..~0.55: its fused score relative to the best one and its
    rescaled cosine with the question (the weights of the hand-tuned scorer)."""
    top = max((p.score for p in passages), default=0.0) or 1.0
    return [0.25 * p.score / top + 0.30 * calibration.scale(p.signals.get("dense")) for p in passages]


def prerank(standing: float, match: float, features: Mapping[str, float]) -> float:
    """A sentence's pre-rank score: its passage's ``standing`` (``passage_prior``), how well it
    matches the question (``match``: word coverage, or the larger of coverage and cosine),
    the cue bonus, the repeat penalty and the proximity bonus (``features``)."""
    return (
        standing
        + COVERAGE_WEIGHT * match
        + CUE_BONUS * features["cue"]
        - REPEAT_PENALTY * features.get("repeat", 0.0)
        + PROXIMITY_BONUS * features.get("proximity", 0.0)
    )
