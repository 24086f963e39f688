"""The reranking weight and the margin's calibration, fitted on the ``dev`` questions.

A candidate's final score is the reader's margin plus ``prior_weight`` times its pre-rank;
the weight that puts the gold sentence first most often on dev is kept. The margin's
threshold abstains on at most 4% of ordinary dev questions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer

from convqa.answer.reader_step import READ_SENTENCES
from convqa.evaluation.metrics import f1_score
from convqa.reader.model import ReaderNet
from convqa.reader.spans import best_spans, encode_pairs
from convqa.training.examples import Example, Texts, candidate_covers, gold_text, sentence_text

#: Weights of the pre-rank beside the reader's margin tried on dev (the best is kept).
PRIOR_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def read_margins(net: ReaderNet, tokenizer, question: str, cands: list[dict], texts: Texts, max_length: int):
    """(margins, spans) of the first READ_SENTENCES candidates."""
    rows = cands[:READ_SENTENCES]
    sentences = [sentence_text(c, texts) for c in rows]
    if not sentences:
        return [], []
    enc = encode_pairs(tokenizer, question, sentences, max_length)
    with torch.inference_mode():
        s, e = net(enc.input_ids, enc.attention_mask)
    spans = best_spans(enc, s, e, sentences, 30)
    return [sp.margin for sp in spans], spans


def top_candidate(margins: list[float], candidates: list[dict], weight: float) -> int:
    """Index of the best candidate by margin + weight * pre-rank."""
    scores = [m + weight * c["prior"] for m, c in zip(margins, candidates)]
    return max(range(len(scores)), key=scores.__getitem__)


def calibrate_margin(net: ReaderNet, examples: list[Example], texts: Texts, e5_dir: Path, max_length: int) -> dict:
    """Fit the reranking weight and the answerability calibration on ``dev`` questions."""
    tokenizer = AutoTokenizer.from_pretrained(str(e5_dir))
    rows = []
    for e in (e for e in examples if e.split == "dev"):
        margins, spans = read_margins(net, tokenizer, e.question, e.candidates, texts, max_length)
        held, _ = read_margins(net, tokenizer, e.question, e.held_out, texts, max_length)
        rows.append((e, margins, spans, held))
    results = {}
    for weight in PRIOR_WEIGHTS:
        right = sum(
            candidate_covers(e.candidates[top_candidate(margins, e.candidates, weight)], e)
            for e, margins, _, _ in rows
            if margins
        )
        results[weight] = right / max(1, len(rows))
    weight = max(results, key=results.get)
    prior_first = sum(bool(e.candidates) and candidate_covers(e.candidates[0], e) for e, *_ in rows) / max(1, len(rows))
    f1s, own_best, held_best = [], [], []
    for e, margins, spans, held in rows:
        if margins:
            top = top_candidate(margins, e.candidates, weight)
            text = sentence_text(e.candidates[top], texts)[spans[top].start : spans[top].end]
            f1s.append(f1_score(text, gold_text(e, texts)))
            own_best.append(margins[top])
        if held:
            held_best.append(max(held))
    own, held = np.array(own_best), np.array(held_best)
    # Threshold: abstain on at most 4% of ordinary dev questions; report what it does to held-out ones.
    threshold = float(np.quantile(own, 0.04)) if len(own) else 0.0
    scale = 1.0 / max(1e-3, float(np.std(np.concatenate([own, held]))) if len(held) else 1.0)
    return {
        "prior_weight": weight,
        "calib_a": scale,
        "calib_b": -scale * threshold,
        "dev_sentence_first": results[weight],
        "dev_prior_first": prior_first,
        "dev_sentence_first_by_weight": results,
        "dev_span_f1": float(np.mean(f1s)) if f1s else None,
        "dev_abstain_ordinary": float(np.mean(own < threshold)) if len(own) else None,
        "dev_abstain_held_out": float(np.mean(held < threshold)) if len(held) else None,
        "dev_questions": len(rows),
    }
