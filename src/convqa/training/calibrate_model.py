"""An embedding model's cosine thresholds, fitted on the dev articles of PIAF's tune split.

The answer step compares cosines with thresholds measured for multilingual-e5-small
(convqa.model.calibration): "related" spans ``dense_low``…``dense_high`` and a best passage
under ``min_dense`` (with few shared words) abstains. Another model puts its cosines
elsewhere: EmbeddingGemma's related pairs sit far lower than e5's. Its thresholds are set
so that each cuts the same share of the same cosines as e5's does, on the same questions:

- every dev question is asked twice against the dev articles' paragraphs, once with its
  own article (answerable) and once without it (as a held-out question), and its best
  passage cosine is kept each time, with each model;
- each e5 threshold is replaced by the same quantile of the other model's best cosines.

Only ``tune`` questions of dev articles are read (convqa.training.examples.dev_article).
Run: ``python -m convqa.training.calibrate_model --dataset piaf.json --model NAME
[--data-dir D] [--dims 768,256]``; it prints the Calibration entries to record.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from convqa.evaluation.dataset import EvalSet, load_squad
from convqa.model.calibration import Calibration
from convqa.model.embedder import Embedder
from convqa.model.spec import spec_for
from convqa.settings import BUNDLED_MODEL
from convqa.training.examples import dev_article


def dev_set(dataset: Path, articles: int | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(doc id, paragraph) of the dev articles, and (doc id, question) of their tune questions.

    ``articles`` keeps only the first N dev articles (a smaller, quicker fit)."""
    evalset: EvalSet = load_squad(dataset)
    dev = [a for a in evalset.articles if a.split == "tune" and dev_article(a.title)][:articles]
    ids = {a.doc_id for a in dev}
    paragraphs = []
    for a in dev:
        ends = (*a.paragraph_starts[1:], len(a.text))
        paragraphs += [(a.doc_id, a.text[s:e].strip()) for s, e in zip(a.paragraph_starts, ends) if a.text[s:e].strip()]
    questions = [(q.doc_id, q.question) for q in evalset.questions if q.doc_id in ids and q.split == "tune"]
    return paragraphs, questions


def best_cosines(
    passages: np.ndarray, queries: np.ndarray, passage_docs: list[str], query_docs: list[str]
) -> np.ndarray:
    """Each question's best passage cosine with its own article, then without it."""
    sims = queries @ passages.T
    own = np.array(query_docs)[:, None] == np.array(passage_docs)[None, :]
    return np.concatenate([sims.max(axis=1), np.where(own, -1.0, sims).max(axis=1)])


def cut(vectors: np.ndarray, dims: int | None) -> np.ndarray:
    """The first ``dims`` dimensions, renormalised (Matryoshka), as convqa's Embedder does."""
    if dims is None:
        return vectors
    part = vectors[:, :dims]
    return part / np.linalg.norm(part, axis=1, keepdims=True)


def mapped(reference: np.ndarray, other: np.ndarray, base: Calibration, name: str) -> Calibration:
    """``base``'s cosine thresholds moved to the same quantiles of ``other``'s cosines."""

    def move(threshold: float) -> float:
        return round(float(np.quantile(other, float(np.mean(reference < threshold)))), 4)

    return replace(
        base,
        model=name,
        dense_low=move(base.dense_low),
        dense_high=move(base.dense_high),
        min_dense=move(base.min_dense),
    )


def encode(name: str, data_dir: Path, paragraphs: list[str], questions: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Passage and question vectors of one model, through convqa's Embedder (its prompts)."""
    embedder = Embedder(spec_for(name), data_dir)
    started = time.perf_counter()
    passages = embedder.encode_passages(paragraphs)
    queries = embedder.encode_queries(questions)
    print(
        f"{name}: {len(paragraphs)} passages, {len(questions)} questions in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return passages, queries


def main(argv: list[str] | None = None) -> None:
    """Fit and print the calibration of ``--model`` (and its cuts) against e5's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data-dir", type=Path, default=Path(".convqa"))
    parser.add_argument("--dims", default="", help="Also fit these cuts, comma-separated (e.g. 512,256).")
    parser.add_argument("--articles", type=int, default=None, help="Only the first N dev articles.")
    args = parser.parse_args(argv)
    paragraphs, questions = dev_set(args.dataset, args.articles)
    p_docs, p_text = [d for d, _ in paragraphs], [t for _, t in paragraphs]
    q_docs, q_text = [d for d, _ in questions], [t for _, t in questions]
    e5_p, e5_q = encode(BUNDLED_MODEL, args.data_dir, p_text, q_text)
    reference = best_cosines(e5_p, e5_q, p_docs, q_docs)
    other_p, other_q = encode(args.model, args.data_dir, p_text, q_text)
    base = Calibration()
    out = {"dev_articles": len(set(p_docs)), "dev_paragraphs": len(p_text), "dev_questions": len(q_text)}
    for dims in [None, *(int(d) for d in args.dims.split(",") if d)]:
        cosines = best_cosines(cut(other_p, dims), cut(other_q, dims), p_docs, q_docs)
        key = args.model if dims is None else f"{args.model}:{dims}"
        n = len(q_text)
        out[key] = asdict(mapped(reference, cosines, base, key)) | {
            "own_median": round(float(np.median(cosines[:n])), 4),
            "held_out_median": round(float(np.median(cosines[n:])), 4),
        }
    n = len(q_text)
    out["reference"] = {
        "own_median": float(np.median(reference[:n])),
        "held_out_median": float(np.median(reference[n:])),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
