"""The learned answer step: three small LightGBM models trained on PIAF ``tune``.

1. Every sentence of the retrieved passages gets the features of ``answer/features.py``
   and the sentence ranker orders them.
2. The typed mentions of the best few sentences (the analysis stored at index time) are
   candidate short answers; the span model predicts each one's F1, and the best is given
   as ``short`` only above a threshold chosen on dev articles for precision.
3. The answerability classifier gives one calibrated probability; the step abstains below
   the default's per-language thresholds, or where the hand-tuned rules do
   (``answer/thresholds.py``): on the same questions as the hand-tuned step.

In a conversation two rules stay, not learned (PIAF has no conversations): a sentence the
conversation already gave comes last, and one near the previous quote gains a little.

Question time loads no spaCy model: the question is analysed by rules
(``convqa.analysis.question``) and the passages' analysis is read from the index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from convqa.answer.candidates import sentence_candidates
from convqa.answer.features import (
    ANSWERABLE_FEATURES,
    SENTENCE_FEATURES,
    PassageIn,
    QuestionIn,
    SentenceIn,
    answerable_row,
    question_analysis,
    sentence_rows,
)
from convqa.answer.names import names_nothing_known
from convqa.answer.reading import Reading, SpanCandidate
from convqa.answer.span_features import SPAN_FEATURES, span_rows
from convqa.answer.thresholds import far_from_question, fitted_thresholds, per_language
from convqa.answer.typed import sentence_mentions, stored_analyses
from convqa.index.analyzer import analyze
from convqa.index.view import IndexView
from convqa.retrieval.types import Passage, Query
from convqa.settings import BUNDLED_MODEL

log = logging.getLogger(__name__)

#: The shipped models, one folder per embedding model (named as ``settings.model``): the
#: features include the model's raw cosines, which sit in a range of their own per model.
MODELS_DIR = Path(__file__).resolve().parent / "learned_models"
FILES = ("sentence.txt", "span.txt", "answerable.txt")
#: Sentences whose mentions are candidate short answers.
SPAN_SENTENCES = 3
REPEAT_PENALTY = 10.0  # on the ranker's scale: below every new sentence
PROXIMITY_BONUS = 0.3
#: The feature names the models must have been trained with (manifest.json lists them).
FEATURES = {"sentence": list(SENTENCE_FEATURES), "span": list(SPAN_FEATURES), "answerable": list(ANSWERABLE_FEATURES)}


class ModelsError(Exception):
    """The models are missing, corrupt or do not match their manifest."""


@dataclass(frozen=True)
class Models:
    """The three boosters and the manifest's thresholds."""

    sentence: Any
    span: Any
    answerable: Any
    platt: tuple[float, float]
    abstain_below: float
    short_above: float
    sha256: str
    #: The embedding model whose cosines the models were trained on.
    embedding_model: str


def load_models(folder: Path) -> Models:
    """The models of ``folder``, each checked against the manifest's sha256."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest["features"] != FEATURES:
            raise ModelsError(f"the models in {folder} were trained with other features than this convqa computes")
        boosters = []
        for name in FILES:
            raw = (folder / name).read_bytes()
            if hashlib.sha256(raw).hexdigest() != manifest["files"][name]:
                raise ModelsError(f"{folder / name} does not match its sha256 in manifest.json")
            import lightgbm  # lazy: only this step needs it

            boosters.append(lightgbm.Booster(model_str=raw.decode("utf-8")))
        return Models(
            *boosters,
            tuple(manifest["platt"]),
            float(manifest["abstain_below"]),
            float(manifest["short_above"]),
            manifest["files"]["sentence.txt"],
            manifest.get("embedding_model", BUNDLED_MODEL),
        )
    except ModelsError:
        raise
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ModelsError(
            f"the learned answer step's models in {folder} cannot be read ({exc.__class__.__name__})"
        ) from None
    except Exception as exc:  # lightgbm raises its own LightGBMError on a corrupt model text
        raise ModelsError(
            f"the learned answer step's models in {folder} are corrupt ({exc.__class__.__name__})"
        ) from None


@dataclass(frozen=True)
class LearnedInputs:
    """What the three models read of one question: its candidates, their cosines and the
    feature rows of ``answer/features.py``."""

    candidates: list
    cosines: list[float]
    passages: list[PassageIn]
    sentences: list[SentenceIn]
    question: QuestionIn
    rows: list[list[float]]


def learned_inputs(resources: Any, query: Query, passages: list[Passage], index: IndexView) -> LearnedInputs | None:
    """The models' inputs for these passages; None when they hold no sentence."""
    lexical = index.lexical
    cands = sentence_candidates(query, passages, lexical) if passages else []
    if not cands:
        return None
    resources.sentence_vectors.prefetch(passages)
    sims = (
        resources.sentence_vectors.similarities(query.vector, [c.text for c in cands])
        if query.vector is not None
        else [0.0] * len(cands)
    )
    stored = stored_analyses(index, passages)
    inputs = [PassageIn(p.doc_id, p.start, p.end, p.text, p.score, p.signals, stored.get(p.chunk_id)) for p in passages]
    # A follow-up is read as a question of its own: the context found the passages, its
    # words do not make a sentence answer (a new topic's question would not abstain).
    own = sentence_candidates(replace(query, context=""), passages, lexical) if query.context else cands
    sentences = [
        SentenceIn(c.passage, c.start, c.end, c.coverage, c.features["cue"], float(s)) for c, s in zip(own, sims)
    ]
    terms = list(dict.fromkeys(analyze(query.text)))
    idf = dict(zip(terms, map(float, lexical.idf(terms)))) if terms else {}
    unknown = names_nothing_known(query.text, query.language, lambda t: lexical.mentions(t, query.exclude))
    question = QuestionIn(query.text, question_analysis(query.text, query.language), query.language, idf, unknown)
    return LearnedInputs(
        cands, list(map(float, sims)), inputs, sentences, question, sentence_rows(question, inputs, sentences)
    )


def conversation_rules(candidates: list) -> np.ndarray:
    """What the conversation's rules add to each candidate's score (see module docstring)."""
    said = [(c.features.get("proximity", 0.0), c.features.get("repeat", 0.0)) for c in candidates]
    return np.array([PROXIMITY_BONUS * near - REPEAT_PENALTY * repeat for near, repeat in said])


def best_span(
    models: Models, x: LearnedInputs, scores: np.ndarray, among: list[int] | None = None
) -> tuple[float, SpanCandidate | None]:
    """The best candidate span of the best sentences (by ``scores``; ``among``: of these
    sentence indexes instead), and its predicted F1."""
    order = list(np.argsort(-scores))
    best, found, rows = float(scores.max()), [], []
    for i in order[:SPAN_SENTENCES] if among is None else among:
        s = x.sentences[i]
        p = x.passages[s.passage]
        offset = s.start - p.start
        text = p.text[offset : s.end - p.start]
        local = sentence_mentions(p.analysis, p.start, s.start, s.end)
        rows += span_rows(x.question.analysis, x.question.text, text, local, order.index(i), float(scores[i]), best)
        found += [(p.doc, s.start + m.start, m, text) for m in local]
    if not rows:
        return math.nan, None
    predicted = models.span.predict(np.asarray(rows, dtype=float))
    j = int(np.argmax(predicted))
    doc, start, m, text = found[j]
    end = start + (m.end - m.start)
    return float(predicted[j]), SpanCandidate(doc, start, end, text[m.start : m.end], score=float(predicted[j]))


def answerable_probability(models: Models, x: LearnedInputs, scores: np.ndarray, span_f1: float) -> float:
    """The answerability classifier's Platt-scaled probability that the passages answer."""
    row = answerable_row(x.rows, list(scores), span_f1)
    z = float(models.answerable.predict(np.asarray([row]), raw_score=True)[0])
    a, b = models.platt
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, a * z + b))))


class LearnedStep:
    """Answer step: the trained sentence ranker, span model and answerability."""

    def __init__(self, resources: Any, models: Models, abstain_below: dict[str, float] | None = None) -> None:
        self.resources = resources
        self.models = models
        #: The probability under which to abstain, for a French question ("fr") and another
        #: one ("other"): the default's fitted thresholds (``answer/thresholds.py``), else the manifest's.
        self.abstain_below = per_language(abstain_below, models.abstain_below)
        if getattr(resources.settings, "abstention", "learned") == "rules":  # the rules alone decide
            self.abstain_below = per_language(None, 0.0)
        self.description = f"learned (sha256 {models.sha256[:12]})"

    def run(self, query: Query, passages: list[Passage], index: IndexView) -> Reading:
        """Candidates ranked by the model, the short answer, answerability and support."""
        x = learned_inputs(self.resources, query, passages, index)
        if x is None:
            return Reading()
        scores = self.models.sentence.predict(np.asarray(x.rows, dtype=float))
        learned, scores = scores, scores + conversation_rules(x.candidates)
        span_f1, span = best_span(self.models, x, scores)
        probability = answerable_probability(self.models, x, learned, span_f1)
        ranking, relevance = self._ranking(query, passages, index, x, scores)
        # The hand-tuned rules stay beside the probability: a French question naming only what
        # no article mentions cannot be answered (the names check), however close its passages.
        threshold = self.abstain_below["fr" if query.language == "fr" else "other"]
        best_coverage = max(c.coverage for c in x.candidates)
        far = far_from_question(passages, best_coverage, self.resources.calibration)
        abstain = probability < threshold or far or x.question.names_unknown
        ranked = sorted(
            (
                replace(c, score=float(s), features={**c.features, "cosine": x.cosines[i]})
                for i, (c, s) in enumerate(zip(x.candidates, ranking))
            ),
            key=lambda c: c.score,
            reverse=True,
        )
        confident = span is not None and not abstain and span.score >= self.models.short_above
        spans = () if span is None else (replace(span, short=bool(confident)),)
        return Reading(
            tuple(ranked),
            spans,
            answerable=probability,
            abstain=bool(abstain),
            relevance=self._support(ranked, probability) if relevance is None else relevance,
            best_span=best_span(self.models, x, scores, among=[int(np.argmax(ranking))])[1],
        )

    def _ranking(
        self, query: Query, passages: list[Passage], index: IndexView, x: LearnedInputs, scores: np.ndarray
    ) -> tuple[np.ndarray, dict[int, float] | None]:
        """The scores that order the sentences and each passage's support (None: ``_support``):
        here ``scores``, the model's with the conversation's rules; ``answer/blended.py``
        mixes in the hand-tuned step's."""
        return scores, None

    @staticmethod
    def _support(ranked, probability: float) -> dict[int, float]:
        """A passage supports the answer as much as its best sentence nears the best one."""
        top = ranked[0].score
        support: dict[int, float] = {}
        for c in ranked:
            support.setdefault(c.passage, probability * math.exp(min(0.0, c.score - top)))
        return support


def models_dir(model: str) -> Path:
    """The shipped models' folder for an embedding model (it may not exist)."""
    return MODELS_DIR / model


def configured_models(settings: Any) -> tuple[Path, Models]:
    """The folder of the learned models the settings name (``answerer_dir``, else the ones
    shipped for ``settings.model``) and its models, checked; ModelsError when they are
    missing, corrupt or trained on another embedding model's cosines."""
    configured = getattr(settings, "answerer_dir", None)
    folder = Path(configured) if configured else models_dir(settings.model)
    if not configured and not folder.is_dir():
        raise ModelsError(f"no learned answer step is shipped for the embedding model {settings.model}")
    models = load_models(folder)
    trained_for = models.embedding_model
    if trained_for != settings.model:
        raise ModelsError(f"the models in {folder} were trained on {trained_for}'s cosines, not {settings.model}'s")
    return folder, models


def load_learned_step(resources: Any, fallback: Callable[[Any], Any], step: type = LearnedStep) -> Any:
    """The learned step (or its subclass ``step``); when its models are missing or corrupt, a
    one-line warning that names the fix and the hand-tuned step instead."""
    try:
        folder, models = configured_models(resources.settings)
    except ModelsError as exc:
        log.warning(
            "%s: answering with the hand-tuned scorer instead. Fix: reinstall convqa, or retrain with "
            "`convqa train-answerer --dataset PIAF.json --out DIR` and set CONVQA_ANSWERER_DIR=DIR",
            exc,
        )
        hand = fallback(resources)
        hand.description = f"sentences (learned step unavailable: {exc})"
        return hand
    return step(resources, models, fitted_thresholds(folder))
