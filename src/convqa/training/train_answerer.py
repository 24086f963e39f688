"""Fits the learned answer step's models on the cached tune retrievals and writes them.

Written into ``out``: ``sentence.txt``, ``span.txt``, ``answerable.txt`` (LightGBM's text
format) and ``manifest.json`` (each file's sha256, the data file's sha256, the thresholds,
the Platt scaling, the feature names and the dev figures). Selection (rounds, thresholds)
uses the dev articles of tune only.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from convqa.answer.features import ANSWERABLE_FEATURES, SENTENCE_FEATURES
from convqa.answer.span_features import SPAN_FEATURES
from convqa.settings import BUNDLED_MODEL
from convqa.training.answer_data import read_json_gz, sha256_of
from convqa.training.answer_rows import cases as build_cases
from convqa.training.answer_rows import chunk_analyses, describe
from convqa.training.answerer import (
    ANSWERABLE,
    MAX_ORDINARY_ABSTENTION,
    ROUNDS,
    SHORT_PRECISION,
    SPAN,
    _fit,
    answerable_matrix,
    cross_fitted,
    fit_sentence_ranker,
    platt,
    sentence_table,
    span_matrix,
    span_table,
)

FILES = ("sentence.txt", "span.txt", "answerable.txt")


def _predict(model, X) -> np.ndarray:
    return model.predict(X, num_iteration=model.best_iteration or None) if len(X) else np.zeros(0)


def train_answerer(data_path: Path, work: Path, out: Path, seed: int = 13) -> dict:
    """Train the three models from ``data_path`` (``answer_data``), write them into ``out``;
    return the manifest."""
    started = time.perf_counter()
    data = read_json_gz(data_path)
    analyses = chunk_analyses(data, work)
    cs = build_cases(data, analyses)
    print(f"cases: {describe(cs)}", file=sys.stderr)
    table = sentence_table(cs)
    own_train = [i for i, c in enumerate(cs) if c.split == "train" and c.condition == "own"]
    own_dev = [i for i, c in enumerate(cs) if c.split == "dev" and c.condition == "own"]
    train_all = [i for i, c in enumerate(cs) if c.split == "train"]
    dev_all = [i for i, c in enumerate(cs) if c.split == "dev"]
    article = lambda i: cs[i].article  # noqa: E731

    ranker = fit_sentence_ranker(cs, table, own_train, own_dev, seed)
    fixed = dict(ROUNDS, sentence=ranker.best_iteration or ROUNDS["sentence"])

    def fit_rank(ids, s):
        return fit_sentence_ranker(cs, table, [i for i in ids if cs[i].condition == "own"], [], s, fixed["sentence"])

    def predict_rank(model, ids):
        return {i: model.predict(table.X[table.slices[i]]) for i in ids}

    scores = cross_fitted(fit_rank, predict_rank, train_all, article, seed) | predict_rank(ranker, dev_all)

    spans = {i: span_table(cs[i], scores[i]) for i in range(len(cs)) if i in scores}
    span_model, best_span = fit_spans(cs, spans, own_train, own_dev, train_all, dev_all, seed)
    keep = lambda ids: [i for i in ids if cs[i].condition != "own" or cs[i].answerable]  # noqa: E731
    label = lambda ids: np.array([float(cs[i].condition == "own") for i in ids])  # noqa: E731
    tr, dv = keep(train_all), keep(dev_all)
    answerable = _fit(
        ANSWERABLE,
        answerable_matrix(cs, table, scores, best_span, tr),
        label(tr),
        rounds=ROUNDS["answerable"],
        seed=seed,
        valid=(answerable_matrix(cs, table, scores, best_span, dv), label(dv), None),
    )
    margin = answerable.predict(
        answerable_matrix(cs, table, scores, best_span, dv),
        raw_score=True,
        num_iteration=answerable.best_iteration or None,
    )
    a, b = platt(margin, label(dv))
    figures = dev_figures(cs, table, scores, spans, span_model, answerable, (a, b), best_span)
    figures["train_seconds"] = round(time.perf_counter() - started, 1)
    # Data cached before the embedding model was recorded were e5's, the only model then.
    embedding_model = data.get("model", BUNDLED_MODEL)
    return write_models(out, data_path, seed, ranker, span_model, answerable, (a, b), figures, fixed, embedding_model)


def fit_spans(cs, spans, own_train, own_dev, train_all, dev_all, seed):
    """The span model (rounds cut on dev) and every case's best predicted span F1
    (cross-fitted on train)."""
    span_model = _fit(
        SPAN,
        *span_matrix([spans[i] for i in own_train]),
        rounds=ROUNDS["span"],
        seed=seed,
        valid=(*span_matrix([spans[i] for i in own_dev]), None),
    )

    def fit_span(ids, s):
        own = [i for i in ids if cs[i].condition == "own"]
        return _fit(SPAN, *span_matrix([spans[i] for i in own]), rounds=span_model.best_iteration or 100, seed=s)

    def best_spans(model, ids):
        out = {}
        for i in ids:
            X, _ = span_matrix([spans[i]])
            if len(X):
                out[i] = float(_predict(model, X).max())
        return out

    article = lambda i: cs[i].article  # noqa: E731
    return span_model, cross_fitted(fit_span, best_spans, train_all, article, seed) | best_spans(span_model, dev_all)


def _probability(model, X, scale: tuple[float, float]) -> np.ndarray:
    z = model.predict(X, raw_score=True, num_iteration=model.best_iteration or None)
    return 1.0 / (1.0 + np.exp(-np.clip(scale[0] * z + scale[1], -30, 30)))


def dev_figures(cs, table, scores, spans, span_model, answerable, scale, best_span) -> dict:
    """Dev figures and the two thresholds (abstention, short answer), chosen on dev."""
    dev = {
        name: [i for i, c in enumerate(cs) if c.split == "dev" and c.condition == name]
        for name in ("own", "held", "near")
    }
    prob = {
        name: _probability(answerable, answerable_matrix(cs, table, scores, best_span, ids), scale)
        for name, ids in dev.items()
    }
    abstain_below = float(np.quantile(prob["own"], MAX_ORDINARY_ABSTENTION)) if len(prob["own"]) else 0.5
    answered = [i for i, p in zip(dev["own"], prob["own"]) if p >= abstain_below]
    first = [bool(cs[i].gold[int(np.argmax(scores[i]))]) for i in dev["own"]]
    shown = []  # (predicted F1 of the best span, its F1, its EM) of answered questions
    for i in answered:
        rows, f1s, texts = spans[i]
        if rows:
            pred = _predict(span_model, np.asarray(rows, dtype=float))
            j = int(np.argmax(pred))
            shown.append((float(pred[j]), f1s[j], texts[j], cs[i].answer))
    curve, short_above = short_curve(shown), 1.0
    for point in curve:  # the lowest threshold whose precision reaches the bar on enough answers
        if point["precision"] is not None and point["precision"] >= SHORT_PRECISION and point["shown"] >= 20:
            short_above = point["threshold"]
            break
    from convqa.evaluation.metrics import exact_match  # lazy: only the figures need it

    kept = [(f1, exact_match(t, g)) for p, f1, t, g in shown if p >= short_above]
    n = max(1, len(dev["own"]))
    return {
        "dev_questions": len(dev["own"]),
        "dev_sentence_first": round(float(np.mean(first)), 4) if first else None,
        "abstain_below": round(abstain_below, 5),
        "short_above": round(short_above, 5),
        "dev_ordinary_abstention": round(float(np.mean(prob["own"] < abstain_below)), 4),
        "dev_held_out_abstention": round(float(np.mean(prob["held"] < abstain_below)), 4)
        if len(prob["held"])
        else None,
        "dev_near_miss_abstention": round(float(np.mean(prob["near"] < abstain_below)), 4)
        if len(prob["near"])
        else None,
        "dev_short_coverage": round(len(kept) / max(1, len(answered)), 4),
        "dev_short_precision": round(float(np.mean([f1 >= 0.5 for f1, _ in kept])), 4) if kept else None,
        "dev_short_em": round(sum(em for _, em in kept) / n, 4),
        "dev_short_f1": round(sum(f1 for f1, _ in kept) / n, 4),
        "dev_short_curve": curve,
    }


def short_curve(shown: list[tuple]) -> list[dict]:
    """Coverage and precision (F1 ≥ 0.5) of the short answer over thresholds on its predicted F1."""
    out = []
    total = max(1, len(shown))
    for threshold in np.round(np.arange(0.0, 1.0, 0.05), 2):
        kept = [f1 for p, f1, *_ in shown if p >= threshold]
        out.append(
            {
                "threshold": float(threshold),
                "shown": len(kept),
                "coverage": round(len(kept) / total, 4),
                "precision": round(float(np.mean([f >= 0.5 for f in kept])), 4) if kept else None,
            }
        )
    return out


def write_models(
    out: Path, data_path: Path, seed, ranker, span_model, answerable, scale, figures, rounds, embedding_model: str
) -> dict:
    """The three text models and their manifest (written last: a partial folder has none)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, model in zip(FILES, (ranker, span_model, answerable)):
        model.save_model(str(out / name), num_iteration=model.best_iteration or None)
    manifest = {
        "format": 1,
        "seed": seed,
        "data_sha256": sha256_of(data_path),
        # The cosines the models learned from are this embedding model's.
        "embedding_model": embedding_model,
        "files": {name: sha256_of(out / name) for name in FILES},
        "features": {
            "sentence": list(SENTENCE_FEATURES),
            "span": list(SPAN_FEATURES),
            "answerable": list(ANSWERABLE_FEATURES),
        },
        "platt": list(scale),
        "abstain_below": figures["abstain_below"],
        "short_above": figures["short_above"],
        "rounds": rounds,
        "figures": figures,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest
