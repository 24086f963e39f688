"""Answerability, calibrated end to end on the ``dev`` part of the tune split.

The reader's best margin alone separates answered from unanswerable questions only
partly. A small logistic combiner over the margin and the signals the assistant already
has (the best sentence's pre-rank, its passage's and its own cosine with the question)
does better. Word coverage is left out on purpose: the tune questions are all French, and
a combiner leaning on shared words would abstain on every English question. It is fitted on what the real answer step sees: each dev
question goes through the pipeline twice, once as asked (answerable) and once with its own
article left out (not answerable). Its bias is then set so that at most ``ordinary_abstain``
of the answerable dev questions would be abstained on.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from convqa.assistant import Assistant
from convqa.evaluation.dataset import EvalQuestion, load_squad
from convqa.evaluation.machine import share_models
from convqa.evaluation.metrics import covers, f1_score
from convqa.evaluation.run import eval_settings
from convqa.reader.features import FEATURES
from convqa.reader.model import read_config
from convqa.settings import Settings
from convqa.training.examples import dev_article


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 200) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method)."""
    X = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(X @ w, -30, 30)))
        grad = X.T @ (p - y) + l2 * np.r_[w[:-1], 0.0]
        hess = (X * (p * (1 - p))[:, None]).T @ X + l2 * np.diag(np.r_[np.ones(len(w) - 1), 0.0])
        step = np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def dev_questions(dataset: Path) -> list[EvalQuestion]:
    """The tune questions of dev articles (a few tune questions when a smoke dataset has
    too few of them)."""
    evalset = load_squad(dataset)
    titles = {a.doc_id: a.title for a in evalset.articles}
    tune = [q for q in evalset.questions if q.split == "tune"]
    dev = [q for q in tune if dev_article(titles[q.doc_id])]
    if len(dev) < 10:  # a small smoke dataset without dev articles: fit on a few tune questions
        dev = tune[:: max(1, len(tune) // 30)][:30]
    return dev


def answer_rows(assistant: Assistant, dev: list[EvalQuestion]) -> tuple[list, list, list, list]:
    """Each dev question through the real answer step, as asked (label 1) and without its
    own article (label 0): (feature rows, labels, quoted-right flags, span F1s)."""
    pipeline, step = assistant.pipeline, assistant.pipeline.answerer
    rows, labels, quoted, f1s = [], [], [], []
    for q in dev:
        for exclude, label in ((frozenset(), 1.0), (frozenset({q.doc_id}), 0.0)):
            query = pipeline.query(q.question, exclude=exclude)
            reading = step.run(query, pipeline.retrieve(query, limit=10), pipeline.view())
            if reading.answerable_inputs is None:
                continue
            rows.append([reading.answerable_inputs[name] for name in FEATURES])
            labels.append(label)
            if label:
                best = reading.sentences[0]
                quoted.append(covers(best.doc_id, best.start, best.end, q))
                f1s.append(f1_score(reading.spans[0].text, q.answer) if reading.spans else 0.0)
    return rows, labels, quoted, f1s


def calibrate_reader(
    folder: Path, dataset: Path, work: Path, settings: Settings, ordinary_abstain: float = 0.03
) -> dict:
    """Fit the answerability combiner of the reader in ``folder`` on dev questions and
    record it in its ``reader.json``; returns the dev figures. ``settings`` is the caller's
    base, run here with this reader on a fresh store in ``work``."""
    dev = dev_questions(dataset)
    base = settings.model_copy(update={"answerer": "reader", "reader_dir": folder})
    share_models(settings.data_dir, work / "data")
    assistant = Assistant(eval_settings(base, work / "corpus", work / "data", 10))
    assistant.index()
    rows, labels, quoted, f1s = answer_rows(assistant, dev)
    x, y = np.array(rows), np.array(labels)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    w, b = fit_logistic((x - mean) / std, y)
    weights = w / std  # in the raw features' units
    bias = b - float(weights @ mean)
    z = x @ weights + bias
    # Abstain below z = threshold; shift the bias so that the decision sits at probability 0.5.
    # 3%, under the 5% allowed: the quantile is estimated on a few dozen articles.
    threshold = float(np.quantile(z[y == 1], ordinary_abstain))
    bias -= threshold
    z -= threshold
    figures = {
        "dev_questions": len(dev),
        "dev_abstain_ordinary": float(np.mean(z[y == 1] < 0)),
        "dev_abstain_held_out": float(np.mean(z[y == 0] < 0)),
        "dev_quote_first": float(np.mean(quoted)) if quoted else None,
        "dev_span_f1": float(np.mean(f1s)) if f1s else None,
        "features": list(FEATURES),
        "weights": [round(float(v), 6) for v in weights],
        "bias": round(bias, 6),
    }
    config = read_config(folder)
    notes = json.loads(config.notes or "{}") | {"calibration": figures}
    config = replace(
        config,
        calib_weights=tuple(figures["weights"]),
        calib_b=figures["bias"],
        notes=json.dumps(notes, ensure_ascii=False),
    )
    (folder / "reader.json").write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
    return figures
