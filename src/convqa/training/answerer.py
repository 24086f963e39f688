"""``convqa train-answerer``: the learned answer step's three models, from PIAF ``tune`` only.

1. A sentence ranker (LightGBM lambdarank) over each question's candidate sentences
   (label: the sentence holds the gold answer).
2. A span model (LightGBM regression of a candidate span's F1 against the gold answer),
   over the mentions of each question's best-ranked sentences.
3. An answerability classifier over question-level signals, trained on ordinary questions
   (positives) and two kinds of negatives: the question against the index without its
   article (held out: the question asked against other articles) and without its own
   paragraph (a near miss). Its margin is Platt-scaled on the dev articles into one
   probability; the abstention threshold and the short-answer threshold are chosen there.

Models trained on the same rows they later score for the next model would look better
than they are: the ranker's and the span model's scores that feed the next model are
cross-fitted by article (two folds). Everything is seeded; trees are small and
regularised (the prototype over-fitted).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

from convqa.answer.features import SENTENCE_FEATURES, answerable_row, as_english, sentence_rows
from convqa.answer.span_features import SPAN_FEATURES, span_rows
from convqa.answer.typed import mentions_in
from convqa.evaluation.metrics import f1_score
from convqa.training.answer_rows import Case

#: Sentences per question whose mentions become span candidates.
SPAN_SENTENCES = 3
#: Highest ordinary abstention allowed on dev (the acceptance's bar).
MAX_ORDINARY_ABSTENTION = 0.03
#: Short answers are shown above the threshold where dev precision (F1 ≥ 0.5) reaches this.
SHORT_PRECISION = 0.75

#: What the three models share: small trees, shrinkage, bagging and L2 (regularised, as
#: the prototype over-fitted), on this machine's two cores.
COMMON = {
    "min_child_samples": 40,
    "learning_rate": 0.05,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "verbose": -1,
    "num_threads": 2,
}
RANKER = COMMON | {"objective": "lambdarank", "num_leaves": 15, "lambdarank_truncation_level": 10}
SPAN = COMMON | {"objective": "regression", "num_leaves": 15}
ANSWERABLE = COMMON | {"objective": "binary", "num_leaves": 7}
ROUNDS = {"sentence": 300, "span": 300, "answerable": 200}


def english_stand_in(question_id: str) -> bool:
    """A fifth of the questions, read as English ones would be (PIAF has none): the word
    features are blanked, so the models learn to lean on the cosine when words do not meet."""
    return hashlib.sha256(("english:" + question_id).encode("utf-8")).digest()[0] % 5 == 0


def fold_of(article: str) -> int:
    """0 or 1: the cross-fitting fold of an article."""
    return hashlib.sha256(("fold:" + article).encode("utf-8")).digest()[0] % 2


def _fit(params: dict, X, y, groups=None, rounds: int = 200, seed: int = 13, valid=None) -> lgb.Booster:
    """A booster; with ``valid`` (X, y, groups) its rounds are cut where the dev loss stops falling."""
    train = lgb.Dataset(np.asarray(X, dtype=float), np.asarray(y, dtype=float), group=groups, free_raw_data=False)
    sets, callbacks = [], []
    if valid is not None:
        vx, vy, vg = valid
        sets = [lgb.Dataset(np.asarray(vx, dtype=float), np.asarray(vy, dtype=float), group=vg, reference=train)]
        callbacks = [lgb.early_stopping(30, verbose=False)]
    params = params | {"seed": seed, "deterministic": True, "force_row_wise": True}
    if params["objective"] == "lambdarank":
        params |= {"eval_at": [1], "metric": "ndcg"}
    return lgb.train(params, train, rounds, valid_sets=sets, callbacks=callbacks)


@dataclass
class SentenceTable:
    """Every case's sentence rows, stacked (rows of case i are ``slices[i]``)."""

    X: np.ndarray
    y: np.ndarray
    slices: list[slice]


def sentence_table(cases: list[Case]) -> SentenceTable:
    """The sentence feature rows and labels of all cases."""
    rows, labels, slices, at = [], [], [], 0
    for c in cases:
        r = sentence_rows(c.question, c.passages, c.sentences)
        if english_stand_in(c.id):
            r = [as_english(row) for row in r]
        rows += r
        labels += [float(g) for g in c.gold]
        slices.append(slice(at, at + len(r)))
        at += len(r)
    return SentenceTable(np.asarray(rows, dtype=float).reshape(-1, len(SENTENCE_FEATURES)), np.asarray(labels), slices)


def fit_sentence_ranker(
    cases: list[Case], table: SentenceTable, fit_on: list[int], valid_on: list[int], seed: int, rounds: int = 0
):
    """The ranker over the cases ``fit_on`` (only those whose candidates hold the gold: the
    others teach nothing about order), its rounds cut on ``valid_on``."""

    def stack(ids):
        ids = [i for i in ids if cases[i].answerable]
        sl = [table.slices[i] for i in ids]
        return (
            np.vstack([table.X[s] for s in sl]),
            np.concatenate([table.y[s] for s in sl]),
            [s.stop - s.start for s in sl],
        )

    return _fit(
        RANKER,
        *stack(fit_on),
        rounds=rounds or ROUNDS["sentence"],
        seed=seed,
        valid=stack(valid_on) if valid_on else None,
    )


def cross_fitted(fit, predict, ids: list[int], article_of, seed: int) -> dict[int, object]:
    """Predictions for every id from a model fitted on the other fold's articles."""
    out = {}
    for fold in (0, 1):
        inside = [i for i in ids if fold_of(article_of(i)) == fold]
        model = fit([i for i in ids if fold_of(article_of(i)) != fold], seed)
        out.update(predict(model, inside))
    return out


def span_candidates(c: Case, scores: np.ndarray) -> list[tuple[int, object]]:
    """(sentence index, mention) pairs of the case's best-scored sentences."""
    order = np.argsort(-scores)[:SPAN_SENTENCES]
    out = []
    for i in order:
        s = c.sentences[i]
        p = c.passages[s.passage]
        out += [(int(i), m) for m in mentions_in(p.analysis, p.start, s.start, s.end)]
    return out


def span_table(c: Case, scores: np.ndarray) -> tuple[list[list[float]], list[float], list[str]]:
    """A case's span rows, each span's F1 against the gold answer, and its text."""
    rows, f1s, texts = [], [], []
    order = list(np.argsort(-scores))
    best = float(scores.max())
    for i, m in span_candidates(c, scores):
        s = c.sentences[i]
        p = c.passages[s.passage]
        sentence = p.text[s.start - p.start : s.end - p.start]
        local = type(m)(m.start - (s.start - p.start), m.end - (s.start - p.start), m.kind, m.head_lemma, m.dep)
        rows += span_rows(
            c.question.analysis, c.question.text, sentence, [local], order.index(i), float(scores[i]), best
        )
        text = sentence[local.start : local.end]
        texts.append(text)
        f1s.append(f1_score(text, c.answer) if c.gold[i] else 0.0)
    return rows, f1s, texts


def span_matrix(items: list[tuple[list, list, list]]):
    """Stacks span tables: X, y."""
    rows = [r for t in items for r in t[0]]
    ys = [y for t in items for y in t[1]]
    return np.asarray(rows, dtype=float).reshape(-1, len(SPAN_FEATURES)), np.asarray(ys)


def answerable_matrix(cases: list[Case], table: SentenceTable, scores: dict, best_span: dict, ids: list[int]):
    """Question-level rows of these cases (sentence scores and best span predictions given)."""
    rows = []
    for i in ids:
        sl = table.slices[i]
        rows.append(answerable_row(table.X[sl].tolist(), list(scores[i]), best_span.get(i, float("nan"))))
    return np.asarray(rows, dtype=float)


def platt(margin: np.ndarray, y: np.ndarray, steps: int = 200) -> tuple[float, float]:
    """(a, b) of p = 1 / (1 + exp(-(a·margin + b))) fitted by Newton's method (log loss)."""
    a, b = 1.0, 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(a * margin + b, -30, 30)))
        w = np.maximum(p * (1 - p), 1e-9)
        g = np.array([np.sum((p - y) * margin), np.sum(p - y)])
        h = np.array([[np.sum(w * margin * margin), np.sum(w * margin)], [np.sum(w * margin), np.sum(w)]])
        h += 1e-6 * np.eye(2)
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)
