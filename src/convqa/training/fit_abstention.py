"""The thresholds at which the hand-tuned step abstains by the learned answerability
(``Settings.abstention = "learned"``), fitted per embedding model on PIAF ``tune``'s dev
articles and written beside the learned models as ``abstention.json``.

Each dev question goes through the real pipeline three ways: as it is, without its article
(held out), and without its own paragraph (a near miss, the rest of the article kept). The
234 hand-translated English dev questions go through it too. The hand-tuned step reads,
and the classifier's probability is recorded (``answer/answerability.py``).

A threshold is chosen per language ("fr", and "other" for a question not read as French):
the highest of ``THRESHOLDS`` whose ordinary dev abstention stays within ``MAX_ORDINARY``.
That is half of the 3% that a user may lose to a wrong "not in the articles". The margin is
there because dev articles read easier than test ones: the learned step's own threshold,
chosen at 3% on dev, abstained on 5.0% of ordinary test questions. English questions get
their own threshold, since the classifier learned English only from French questions with
their word features hidden. At the learned step's threshold it abstains on 9% of English
dev questions, against 3% of French ones. ``test`` questions are never read.

Run: ``python -m convqa.training.fit_abstention --dataset piaf.json --work DIR [--model NAME]``
(``--work``: the folder of ``convqa.training.fit_fusion``, whose PIAF index is reused).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from convqa.answer.answerability import LearnedAnswerability
from convqa.answer.learned import load_models, models_dir
from convqa.answer.thresholds import ABSTENTION_FILE
from convqa.evaluation.dataset import english_questions, paragraph_range
from convqa.settings import Settings
from convqa.training.examples import dev_article, indexed_assistant

#: Thresholds tried on the classifier's probability.
THRESHOLDS = tuple(round(0.005 * i, 3) for i in range(61))
#: Most ordinary dev questions a threshold may abstain on (see the module docstring).
MAX_ORDINARY = 0.015
KINDS = ("ordinary", "held_out", "near_miss")


def probabilities(dataset: Path, work: Path, settings: Settings) -> dict[str, dict[str, list[float | None]]]:
    """Per language, per kind of asking: each dev question's probability (None where the
    hand-tuned step's own rules abstain, which the threshold cannot undo)."""
    evalset, assistant = indexed_assistant(dataset, work, settings)
    pipeline, k = assistant.pipeline, assistant.settings.top_k
    judge = LearnedAnswerability(pipeline.resources, load_models(models_dir(settings.model)))
    view = pipeline.view()
    articles = {a.doc_id: a for a in evalset.articles}
    french = [q for q in evalset.questions if q.split == "tune" and dev_article(q.title)]
    out: dict[str, dict[str, list[float | None]]] = {"fr": {}, "other": {}}
    for q in tqdm([*french, *english_questions(evalset, split="tune")], desc="dev questions", file=sys.stderr):
        query = pipeline.query(q.question, index=view)
        article = articles[q.doc_id]
        start, end = paragraph_range(article.text, article.paragraph_starts, q.start)
        asked = {
            "ordinary": query,
            "held_out": replace(query, exclude=frozenset({q.doc_id})),
            "near_miss": replace(query, exclude_ranges=((q.doc_id, start, end),)),
        }
        language = "fr" if query.language == "fr" else "other"
        for kind, variant in asked.items():
            passages = pipeline.retrieve(variant, limit=max(k, 8), index=view)
            own = pipeline.answerer.run(variant, passages, view)
            judged = judge.run(variant, passages, own, view)
            value = None if own.abstain or judged.answerable is None else judged.answerable
            out[language].setdefault(kind, []).append(value)
    return out


def rate(values: list[float | None], threshold: float) -> float:
    """Share abstained on at ``threshold`` (the rules' own abstentions included)."""
    return round(sum(v is None or v < threshold for v in values) / max(1, len(values)), 4)


def choose(curve: list[dict], max_ordinary: float = MAX_ORDINARY) -> float:
    """The highest threshold of ``curve`` whose ordinary abstention is within ``max_ordinary``
    (0: abstain by the rules alone)."""
    return max((row["threshold"] for row in curve if row["ordinary"] <= max_ordinary), default=0.0)


def fit(dataset: Path, work: Path, settings: Settings) -> dict:
    """The chosen thresholds, with every threshold's dev figures."""
    found = probabilities(dataset, work, settings)
    chosen, curves = {}, {}
    for language, kinds in found.items():
        curves[language] = [{"threshold": t} | {kind: rate(kinds[kind], t) for kind in KINDS} for t in THRESHOLDS]
        chosen[language] = choose(curves[language])
    return {
        "model": settings.model,
        "rule": f"the highest threshold whose ordinary dev abstention is at most {MAX_ORDINARY}",
        "abstain_below": chosen,
        "dev_questions": {language: len(kinds["ordinary"]) for language, kinds in found.items()},
        "dev_at_chosen": {
            language: next(row for row in curves[language] if row["threshold"] == chosen[language])
            for language in found
        },
        "curve": curves,
    }


def main(argv: list[str] | None = None) -> None:
    """Fit the thresholds of ``--model`` and write them beside its learned models."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="Working folder (the PIAF index is kept there).")
    parser.add_argument("--model", default=None, help="Embedding model (default: the configured one).")
    parser.add_argument("--out", type=Path, help=f"Where to write (default: the shipped models' {ABSTENTION_FILE}).")
    args = parser.parse_args(argv)
    base = Settings() if args.model is None else Settings(model=args.model)
    settings = base.model_copy(update={"answerer": "sentences", "abstention": "learned"})
    result = fit(args.dataset, args.work, settings)
    out = args.out or models_dir(settings.model) / ABSTENTION_FILE
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result["abstain_below"] | {"dev": result["dev_at_chosen"]}, indent=1))


if __name__ == "__main__":
    main()
