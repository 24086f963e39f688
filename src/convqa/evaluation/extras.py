"""The test split's measures beyond the end-to-end run: the answer step alone given the
gold passage and the gold sentence, abstention without the question's article or its
paragraph, the short answer's curve, and the answer-step variants."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from convqa.evaluation.asking import ask_one, bar
from convqa.evaluation.dataset import EvalQuestion, EvalSet
from convqa.evaluation.metrics import QuestionResult
from convqa.evaluation.reading import held_out_abstention, near_miss_abstention, reading_f1, short_curve
from convqa.evaluation.variants import run_variants


@dataclass
class Extras:
    """What the extra measures found (None: not asked for)."""

    held_out: dict | None = None
    near_miss: dict | None = None
    compared: dict | None = None
    short_curve: list[dict] | None = None
    english: list[QuestionResult] | None = None


def measure_extras(
    assistant,
    evalset: EvalSet,
    test: list[QuestionResult],
    k: int,
    held_out: bool,
    near_miss: bool,
    variants,
    english: list[EvalQuestion] | None = None,
) -> Extras:
    """Runs the extra measures over the test split's results (``reading_f1*`` go into their
    extra); ``english``: questions also asked on the same index (the English test questions)."""
    for r in bar(test, unit="q", desc="reading (gold passage, gold sentence)"):
        for key, sentence in (("reading_f1", False), ("reading_f1_sentence", True)):
            f1 = reading_f1(assistant, r.question, sentence=sentence)
            if f1 is not None:
                r.extra[key] = f1
    questions = [r.question for r in test]
    out = Extras()
    out.short_curve = short_curve(assistant, bar(questions, unit="q", desc="short-answer curve"), k)
    out.compared = run_variants(assistant, questions, k, variants, ask_one) if variants else None
    if held_out:
        print("asking the test questions without their own article", file=sys.stderr)
        out.held_out = held_out_abstention(assistant, bar(questions, unit="q", desc="held out"), k)
    if near_miss:
        articles = {a.doc_id: a for a in evalset.articles}
        near = near_miss_abstention(assistant, bar(questions, unit="q", desc="near miss"), articles, k)
        out.near_miss = near
    if english:
        # The same index answers them, so a second model run is not a second index build.
        out.english = [ask_one(assistant, q, k) for q in bar(english, unit="q", desc="English questions")]
    return out
