"""Answer-step variants compared on the same index and retrieval, in the same run.

Each variant is a set of settings overrides; a pipeline with those settings is built over
the assistant's loaded model and indexes, and the test questions go through it. Only the
answer step differs, so the table isolates what it costs and what it gains.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from convqa.evaluation.dataset import EvalQuestion
from convqa.evaluation.metrics import percentile, summarize
from convqa.pipeline import Pipeline

VARIANTS: dict[str, dict] = {
    "sentences": {"answerer": "sentences"},
    # The hand-tuned step abstaining by its own thresholds (before the learned answerability).
    "sentences-rules": {"answerer": "sentences", "abstention": "rules", "short_answer": "model"},
    # The short answer by the span model alone (before the typed rule).
    "sentences-model-short": {"answerer": "sentences", "short_answer": "model"},
    # The trained sentence ranker; it abstains on the same questions as the default.
    "learned": {"answerer": "learned"},
    # The trained ranker blended with the hand-tuned scores (answer/blended.py).
    "blended": {"answerer": "blended"},
    "reader-fp32": {"answerer": "reader", "reader_precision": "fp32"},
    "reader-bf16": {"answerer": "reader", "reader_precision": "bf16"},
}


def run_variants(assistant, questions: list[EvalQuestion], k: int, names: list[str], ask) -> dict[str, dict]:
    """Summaries (plus the answer step's own p50/p95 ms) of each named variant."""
    out = {}
    for name in names:
        if name not in VARIANTS:
            raise ValueError(f"unknown variant {name!r}: use {', '.join(VARIANTS)}")
        settings = assistant.settings.model_copy(update=VARIANTS[name])
        pipeline = Pipeline(replace(assistant.pipeline.resources, settings=settings))
        print(f"variant {name}: {len(questions)} questions", file=sys.stderr)
        results = [ask(assistant, q, k, pipeline) for q in questions]
        step = [r.extra["timings"]["answer_ms"] for r in results if "timings" in r.extra]
        out[name] = summarize(results) | {
            "answer_step_ms_p50": percentile(step, 50),
            "answer_step_ms_p95": percentile(step, 95),
            "answerer": getattr(pipeline.answerer, "description", settings.answerer),
            "abstention": pipeline.abstention.description,
            "short_answer": pipeline.short_answer.description,
        }
    return out
