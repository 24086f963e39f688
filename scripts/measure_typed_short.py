"""Measure the typed short answer (convqa.answer.typed_short) on PIAF ``tune``; test is never read.

1. In the gold sentence: every tune question's gold sentence, parsed by the index's spaCy
   analysis, and the rule with every kind allowed. By kind, how often it gives a short answer
   and how often that answer is right (F1 ≥ 0.5), on dev articles and on the others. The
   kinds whose dev precision reaches ``PRECISION`` are the ones the rule trusts.
2. End to end, on dev articles: each dev question (French, and the hand-translated English
   ones) through the real pipeline over the index of ``convqa.training.fit_fusion``'s work
   folder, with ``short_answer`` "typed" (default), "model", and the rule without the span
   model's agreement: coverage of the answered questions and precision where shown, for
   each threshold of the agreement (``AGREEMENTS``; the lowest whose dev precision, both
   languages together, reaches ``PRECISION`` is ``AGREE_ABOVE``).

Run: ``python scripts/measure_typed_short.py --dataset piaf.json --work DIR [--model NAME] [--out F]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from tqdm import tqdm  # noqa: E402

from convqa.analysis.french import parse_passages  # noqa: E402
from convqa.analysis.question import analyse_question  # noqa: E402
from convqa.answer.reading import SpanCandidate  # noqa: E402
from convqa.answer.typed import sentence_mentions  # noqa: E402
from convqa.answer.typed_short import TypedShortAnswer, typed_short  # noqa: E402
from convqa.corpus.sentences import sentence_spans  # noqa: E402
from convqa.evaluation.dataset import english_questions, load_squad, paragraph_range  # noqa: E402
from convqa.evaluation.metrics import f1_score  # noqa: E402
from convqa.index.analyzer import analyze  # noqa: E402
from convqa.pipeline import Pipeline  # noqa: E402
from convqa.settings import Settings  # noqa: E402
from convqa.training.examples import dev_article, indexed_assistant  # noqa: E402

#: A kind is trusted when the rule is right for at least this share of its dev answers.
PRECISION = 0.7
#: Thresholds tried for ``AGREE_ABOVE`` (the lowest reaching ``PRECISION`` is chosen).
AGREEMENTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
ALL_KINDS = frozenset({"NUM", "DATE", "PER", "LOC", "ORG", "MISC"})


def _share(right: int, shown: int) -> float | None:
    return round(right / shown, 3) if shown else None


def in_gold_sentence(evalset) -> dict:
    """Per split and expected kind: questions, answers given, right ones (F1 ≥ 0.5)."""
    articles = {a.doc_id: a for a in evalset.articles}
    questions = [q for q in evalset.questions if q.split == "tune"]
    keys = sorted(
        {
            (q.doc_id, *paragraph_range(articles[q.doc_id].text, articles[q.doc_id].paragraph_starts, q.start))
            for q in questions
        }
    )
    print(f"parsing {len(keys)} tune paragraphs", file=sys.stderr)
    parsed = dict(zip(keys, parse_passages([articles[d].text[s:e] for d, s, e in keys])))
    counts: dict = defaultdict(lambda: [0, 0, 0])
    for q in questions:
        article = articles[q.doc_id]
        ps, pe = paragraph_range(article.text, article.paragraph_starts, q.start)
        gold = next(((s, e) for s, e in sentence_spans(article.text, ps, pe) if s <= q.start and q.end <= e), None)
        if gold is None:
            continue
        s, e = gold
        local = sentence_mentions(parsed[(q.doc_id, ps, pe)], ps, s, e)
        analysis = analyse_question(q.question, "fr")
        found = typed_short(analysis, article.text[s:e], local, set(analyze(q.question)), kinds=ALL_KINDS)
        row = counts[("dev" if dev_article(q.title) else "train", analysis.expects or "-")]
        row[0] += 1
        if found is not None:
            row[1] += 1
            row[2] += f1_score(article.text[s + found.start : s + found.end], q.answer) >= 0.5
    return {
        f"{split}/{kind}": {"questions": n, "shown": shown, "precision": _share(right, shown)}
        for (split, kind), (n, shown, right) in sorted(counts.items())
    }


class RuleAlone(TypedShortAnswer):
    """The rule without the span model's agreement (for comparison only)."""

    def run(self, query, passages, reading, index):
        if reading.abstain or not reading.sentences:
            return reading
        head = reading.best_sentence
        anywhere = SpanCandidate(head.doc_id, head.start, head.end, head.text)
        return super().run(query, passages, replace(reading, best_span=anywhere), index)


def end_to_end(dataset: Path, work: Path, settings: Settings) -> dict:
    """Coverage and precision of the short answer on dev questions, by step and language."""
    evalset, assistant = indexed_assistant(dataset, work, settings)
    french = [q for q in evalset.questions if q.split == "tune" and dev_article(q.title)]
    out = {}
    steps = [*(f"typed@{t}" for t in AGREEMENTS), "model", "rule-alone"]
    for step in steps:
        chosen = settings.model_copy(update={"short_answer": "model" if step == "model" else "typed"})
        pipeline = Pipeline(replace(assistant.pipeline.resources, settings=chosen))
        if step == "rule-alone":
            pipeline.short_answer = RuleAlone(0.0)
        elif step.startswith("typed@"):
            pipeline.short_answer = TypedShortAnswer(float(step.removeprefix("typed@")))
        for language, questions in (("fr", french), ("en", english_questions(evalset, split="tune"))):
            answered = shown = right = 0
            for q in tqdm(questions, desc=f"{step} {language}", file=sys.stderr, mininterval=5):
                view = pipeline.view()
                answer = pipeline.answer(pipeline.query(q.question, index=view), assistant.settings.top_k, index=view)
                if answer.abstained:
                    continue
                answered += 1
                if answer.short is not None:
                    shown += 1
                    right += f1_score(answer.short.text, q.answer) >= 0.5
            out[f"{step}/{language}"] = {
                "answered": answered,
                "shown": shown,
                "right": right,
                "coverage": _share(shown, answered),
                "precision": _share(right, shown),
            }
        if step.startswith("typed@"):  # both languages: what AGREE_ABOVE is chosen on
            both = [out[f"{step}/{language}"] for language in ("fr", "en")]
            out[f"{step}/both"] = {
                "answered": sum(b["answered"] for b in both),
                "coverage": _share(sum(b["shown"] for b in both), sum(b["answered"] for b in both)),
                "precision": _share(sum(b["right"] for b in both), sum(b["shown"] for b in both)),
            }
    chosen = next((t for t in AGREEMENTS if (out[f"typed@{t}/both"]["precision"] or 0) >= PRECISION), None)
    out["chosen_agree_above"] = chosen
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="fit_fusion's work folder (its index is reused)")
    parser.add_argument("--model", default=None, help="embedding model (default: the settings' own)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()
    settings = Settings(**({"model": args.model} if args.model else {}))
    evalset = load_squad(args.dataset)
    figures = {"model": settings.model, "in_gold_sentence": in_gold_sentence(evalset)}
    figures["end_to_end_dev"] = end_to_end(args.dataset, args.work, settings)
    table = Table(title="typed short answer, PIAF tune")
    for column in ("where", "questions", "shown / coverage", "precision"):
        table.add_column(column)
    for key, row in figures["in_gold_sentence"].items():
        table.add_row(f"gold sentence {key}", str(row["questions"]), str(row["shown"]), str(row["precision"]))
    for key, row in figures["end_to_end_dev"].items():
        if not isinstance(row, dict):
            continue
        table.add_row(f"dev end to end {key}", str(row["answered"]), str(row["coverage"]), str(row["precision"]))
    Console(stderr=True).print(table)
    print(f"AGREE_ABOVE chosen on dev: {figures['end_to_end_dev']['chosen_agree_above']}", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
