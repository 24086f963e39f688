"""The trained reader as an answer step.

1. Every sentence of the retrieved passages is pre-ranked by cheap signals (the
   hand-tuned scorer's, with every sentence's cosine to the question).
2. The reader reads the question with each of the best few sentences and gives each its
   best answer span and how strongly that beats "no answer here" (the margin).
3. Candidates are reranked by margin (plus a little of the pre-rank, weighed on tune);
   the passage of the best one becomes citation [1].
4. The best margin, calibrated on held-out tune articles, is the probability that the
   passages answer at all: below the threshold the assistant abstains; above a higher
   one the span is given as the short answer.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from convqa.answer.candidates import sentence_candidates
from convqa.answer.prerank import PROXIMITY_BONUS, passage_prior, prerank
from convqa.answer.reading import Reading, SentenceCandidate, SpanCandidate
from convqa.index.lexical import LexicalIndex
from convqa.index.view import IndexView
from convqa.model.spec import spec_for
from convqa.reader.features import FEATURES
from convqa.retrieval.types import Passage, Query

log = logging.getLogger(__name__)

#: The shipped weights.
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "reader" / "weights"
#: Sentences the reader reads per question: more finds more, each costs a model pass.
READ_SENTENCES = 6


def reader_candidates(
    query: Query, passages: list[Passage], lexical: LexicalIndex, sentence_vectors: Any, calibration: Any
) -> list[SentenceCandidate]:
    """Every sentence of the passages, best pre-ranked first (``features["prior"]``).

    The pre-rank is the hand-tuned step's, with every sentence's cosine to the question
    standing in for its word coverage when higher. Training builds its examples with it.
    """
    candidates = sentence_candidates(query, passages, lexical)
    if not candidates:
        return []
    priors = passage_prior(passages, calibration)
    sentence_vectors.prefetch(passages)
    sims = (
        sentence_vectors.similarities(query.vector, [c.text for c in candidates]) if query.vector is not None else None
    )
    ranked = []
    for i, c in enumerate(candidates):
        cosine = calibration.scale(float(sims[i])) if sims is not None else 0.0
        features = {**c.features, "cosine": cosine}
        prior = prerank(priors[c.passage], max(c.coverage, cosine), features)
        ranked.append(replace(c, features={**features, "prior": prior}, score=prior))
    ranked.sort(key=lambda c: c.score, reverse=True)
    return ranked


class ReaderStep:
    """Answer step: the trained reader over the best pre-ranked sentences."""

    def __init__(self, resources: Any, net: Any, config: Any, tokenizer: Any, folder: Path) -> None:
        self.resources = resources
        self.net = net
        self.config = config
        self.tokenizer = tokenizer
        self.description = f"reader ({folder.name}, sha256 {config.sha256[:12]})"
        settings = resources.settings
        self.abstain_below = settings.reader_abstain_below
        self.short_above = settings.reader_short_above

    def answerable(self, features: dict[str, float]) -> float:
        """Calibrated probability that a candidate with these signals answers the question."""
        weights = self.config.calib_weights
        if weights:
            z = sum(w * features[name] for w, name in zip(weights, FEATURES)) + self.config.calib_b
        else:
            z = self.config.calib_a * features["margin"] + self.config.calib_b
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def _signals(self, c: SentenceCandidate, passages: list[Passage]) -> dict[str, float]:
        """The answerability inputs of one read candidate."""
        dense = self.resources.calibration.scale(passages[c.passage].signals.get("dense"))
        return {
            "margin": c.features["margin"],
            "prior": c.features["prior"],
            "dense": dense,
            "cosine": c.features["cosine"],
        }

    def run(self, query: Query, passages: list[Passage], index: IndexView) -> Reading:
        """Candidates reranked by the reader, the short answer, and whether to abstain."""
        r = self.resources
        candidates = reader_candidates(query, passages, index.lexical, r.sentence_vectors, r.calibration)
        if not candidates:
            return Reading()
        order = [i for i, c in enumerate(candidates) if not c.features.get("repeat")][:READ_SENTENCES]
        if not order:
            return Reading(tuple(candidates))
        spans = self._read(query, [candidates[i].text for i in order])
        read = []
        for i, span in zip(order, spans):
            c = candidates[i]
            score = (
                span.margin
                + self.config.prior_weight * c.features["prior"]
                + PROXIMITY_BONUS * c.features.get("proximity", 0.0)
            )
            read.append((replace(c, features={**c.features, "margin": span.margin}, score=score), span))
        floor, was_read = min(c.score for c, _ in read), set(order)
        unread = [c for i, c in enumerate(candidates) if i not in was_read]
        # After every read sentence, in pre-rank order.
        unread = [replace(c, score=floor - 1.0 - rank * 1e-3) for rank, c in enumerate(unread)]
        read.sort(key=lambda pair: pair[0].score, reverse=True)
        (best, best_span), ranked = read[0], [c for c, _ in read] + unread
        signals = self._signals(best, passages)
        probability = self.answerable(signals)
        found = ()
        if best_span.end > best_span.start:
            found = (
                SpanCandidate(
                    best.doc_id,
                    best.start + best_span.start,
                    best.start + best_span.end,
                    best.text[best_span.start : best_span.end],
                    score=best_span.margin,
                    short=probability >= self.short_above,
                ),
            )
        relevance: dict[int, float] = {}
        for c, _ in read:  # a passage supports the answer as much as its best read sentence
            relevance[c.passage] = max(relevance.get(c.passage, 0.0), self.answerable(self._signals(c, passages)))
        return Reading(
            tuple(ranked),
            found,
            answerable=probability,
            abstain=probability < self.abstain_below,
            relevance=relevance,
            answerable_inputs=signals,
        )

    def _read(self, query: Query, sentences: list[str]) -> list[Any]:
        """The reader's best span (a ``convqa.reader.spans.SpanScore``) in each sentence."""
        import torch  # lazy: keeps torch off the start-up of the hand-tuned default

        from convqa.reader.spans import best_spans, encode_pairs  # lazy: imports torch

        enc = encode_pairs(self.tokenizer, query.text, sentences, self.config.max_length)
        # bf16 autocast halves the reader's time on these CPUs with the same spans; dynamic
        # int8 was tried and ruins them (e5's activations have outliers).
        bf16 = self.resources.settings.reader_precision == "bf16"
        with (
            self.resources.embedder.compute(1),
            torch.inference_mode(),
            torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16),
        ):
            start_logits, end_logits = self.net(enc.input_ids, enc.attention_mask)
        start_logits, end_logits = start_logits.float(), end_logits.float()
        return best_spans(enc, start_logits, end_logits, sentences, self.config.max_answer_tokens)


def load_reader_step(resources: Any, fallback: Callable[[Any], Any]) -> Any:
    """The reader step; when its weights are missing or corrupt, a warning that names the
    fix and the hand-tuned step instead (never a crash, never a silent downgrade)."""
    from convqa.reader.model import ReaderError, load_reader  # lazy: imports torch

    settings = resources.settings
    folder = Path(settings.reader_dir) if settings.reader_dir else WEIGHTS_DIR
    try:
        from transformers import AutoTokenizer

        e5_dir = Path(spec_for(settings).path(settings.data_dir))
        net, config = load_reader(folder, e5_dir)
        tokenizer = AutoTokenizer.from_pretrained(str(e5_dir))
    except ReaderError as exc:
        log.warning(
            "%s: answering with the hand-tuned scorer instead. Fix: reinstall convqa, or "
            "retrain with `convqa train-reader --out DIR` and set CONVQA_READER_DIR=DIR",
            exc,
        )
        step = fallback(resources)
        step.description = f"sentences (reader unavailable: {exc})"
        return step
    return ReaderStep(resources, net, config, tokenizer, folder)
