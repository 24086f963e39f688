"""Numbers that belong to the embedding model, not to the code that uses them.

Cosine similarities live in a range of their own for each model: multilingual-e5-small
puts related question/passage pairs between 0.75 and 0.90, and unrelated ones around
0.70-0.78. The thresholds that turn a cosine into "related" or "abstain" are therefore
recorded with the model that they were measured for. With any other model convqa keeps
working, but says that its abstention is uncalibrated (a warning, ``status`` shows it)
instead of silently misjudging.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from convqa.settings import BUNDLED_MODEL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Calibration:
    """Where an embedder's cosines fall, and the thresholds derived from them."""

    model: str = BUNDLED_MODEL
    #: Cosines mapped to 0..1 between these (related pairs sit inside).
    dense_low: float = 0.75
    dense_high: float = 0.90
    #: Below this passage cosine and ``min_coverage`` of the question's words, abstain.
    min_dense: float = 0.80
    min_coverage: float = 0.34
    #: Best word coverage under which sentences are also compared by their vectors.
    dense_fallback_below: float = 0.5
    #: False when these numbers were not measured for ``model``.
    calibrated: bool = True

    def scale(self, similarity: float | None) -> float:
        """A cosine mapped to 0..1 across the model's related range."""
        if similarity is None:
            return 0.0
        return max(0.0, min(1.0, (similarity - self.dense_low) / (self.dense_high - self.dense_low)))


def _gemma(key: str, low: float, high: float, min_dense: float) -> Calibration:
    return Calibration(model=key, dense_low=low, dense_high=high, min_dense=min_dense)


#: Models whose cosine range was measured (on PIAF's tune split). EmbeddingGemma's were
#: fitted by convqa.training.calibrate_model on the 24 dev articles of tune (116 paragraphs,
#: 585 questions, each asked with and without its own article): each of e5's thresholds
#: moved to the same quantile of Gemma's best-passage cosines (docs/eval/gemma-calibration.json).
#: Its cosines sit far lower and further apart: best passage median 0.51 with the question's
#: article, 0.21 without it, where e5 has 0.86 and 0.81.
KNOWN: dict[str, Calibration] = {
    BUNDLED_MODEL: Calibration(),
    "embeddinggemma-300m": _gemma("embeddinggemma-300m", 0.0959, 0.6566, 0.1701),
    "embeddinggemma-300m:512": _gemma("embeddinggemma-300m:512", 0.1173, 0.6537, 0.1919),
    "embeddinggemma-300m:256": _gemma("embeddinggemma-300m:256", 0.1728, 0.6823, 0.2424),
}


def calibration_for(model: str, dims: int | None = None) -> Calibration:
    """The model's calibration (of its vectors cut to ``dims``, when given); e5's numbers
    marked uncalibrated (with a warning) otherwise."""
    key = model if dims is None else f"{model}:{dims}"
    known = KNOWN.get(key)
    if known is not None:
        return known
    model = key
    log.warning(
        "embedding model %r is not calibrated: abstention thresholds are multilingual-e5-small's "
        "and may abstain too often or too rarely",
        model,
    )
    return replace(Calibration(), model=model, calibrated=False)
