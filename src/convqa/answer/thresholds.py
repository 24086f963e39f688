"""When the assistant abstains, as every answer step decides it.

Two verdicts, which each step combines:

- the hand-tuned rules: neither the best passage's cosine nor the best sentence's word
  coverage ties the passages to the question, or a French question names only things the
  articles never mention (``answer/names.py``);
- the learned answerability probability, under a threshold per language fitted on PIAF
  ``tune``'s dev articles (``convqa.training.fit_abstention``, written beside the learned
  models as ``abstention.json``).

The hand-tuned step with the learned abstention and the learned steps all abstain on
"rules or probability under the fitted threshold", so they abstain on the same questions
and differ only in the sentence they quote.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from convqa.answer.names import names_nothing_known
from convqa.model.calibration import Calibration
from convqa.retrieval.types import Passage, Query

log = logging.getLogger(__name__)

#: The fitted thresholds, beside the learned models (convqa.training.fit_abstention).
ABSTENTION_FILE = "abstention.json"


def rules_abstain(
    query: Query, passages: Sequence[Passage], best_coverage: float, calibration: Calibration, lexical
) -> bool:
    """The hand-tuned verdict: True when the passages cannot answer ``query``.

    ``best_coverage``: the best candidate sentence's share of the question's words. Articles
    left out of retrieval (``query.exclude``) do not vouch for a name either.
    """
    return far_from_question(passages, best_coverage, calibration) or names_nothing_known(
        query.text, query.language, lambda terms: lexical.mentions(terms, query.exclude)
    )


def far_from_question(passages: Sequence[Passage], best_coverage: float, calibration: Calibration) -> bool:
    """The rules' first half: neither the best passages' cosine nor the best sentence's word
    coverage (``best_coverage``) ties the passages to the question. The learned step adds the
    names check it has already computed (``QuestionIn.names_unknown``)."""
    best_dense = max((p.signals.get("dense") or 0.0) for p in passages[:3]) if passages else 0.0
    return bool(best_dense < calibration.min_dense and best_coverage < calibration.min_coverage)


def fitted_thresholds(folder: Path) -> dict[str, float] | None:
    """The thresholds ``fit_abstention`` wrote for the models of ``folder``, for a French
    question ("fr") and another one ("other"); None: none were fitted, the learned step's
    own threshold applies."""
    try:
        fitted = json.loads((folder / ABSTENTION_FILE).read_text(encoding="utf-8"))["abstain_below"]
        return {language: float(fitted[language]) for language in ("fr", "other")}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s cannot be read (%s): the learned step's own threshold applies", folder / ABSTENTION_FILE, exc)
        return None


def per_language(fitted: dict[str, float] | None, default: float) -> dict[str, float]:
    """The probability under which to abstain, for a French question ("fr") and another one
    ("other"): the ``fitted`` thresholds, else ``default`` for both."""
    return fitted or dict.fromkeys(("fr", "other"), default)
