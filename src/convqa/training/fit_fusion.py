"""The retrievers' weights in reciprocal-rank fusion, fitted per embedding model on PIAF's
``tune`` split.

Plain RRF gives both retrievers the same say. With a stronger dense side (EmbeddingGemma's
paragraph hit@1 is 0.724 against BM25's 0.668) that may throw a lead away: a passage ranked
3rd by the vectors but missed by BM25 falls behind every passage both lists hold, however
weakly. Each question is embedded once; then, for every candidate weight, the real
pipeline retrieves, fuses, answers with the hand-tuned step and is scored as ``convqa eval``
scores it (the first citation's passage and quote covering the gold answer).

Two weights are fitted, each on its own questions:
- the dense list's (``dense_weight``), on the French tune questions;
- with ``--english``, the lexical list's for a question that is not French
  (``cross_lexical_weight``), on the 234 hand-translated English questions of tune's dev
  articles (``evaluation/data/piaf-tune-dev-en.jsonl``): French BM25 meets an English
  question only through its names and cognates.

A weight is chosen on the dev articles of ``tune`` (convqa.training.examples.dev_article):
the best quote_hit@1, the smaller change from 1 on a tie; the other tune articles are
reported beside it for the dense weight. ``test`` questions are never read.

Run: ``python -m convqa.training.fit_fusion --dataset piaf.json --work DIR --model NAME
[--english]`` (the index in ``DIR`` is reused by ``convqa train-answerer --work DIR``).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from convqa.answer.types import Answer
from convqa.evaluation.dataset import EvalQuestion, english_questions
from convqa.evaluation.metrics import covers
from convqa.pipeline import fusion_weights
from convqa.settings import Settings
from convqa.training.examples import dev_article, indexed_assistant

#: Dense weights tried (the lexical list keeps weight 1).
WEIGHTS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
#: Lexical weights tried for an English question (the dense list keeps the model's weight).
CROSS_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0)
#: Differences of quote_hit@1 smaller than this are ties (585 dev questions: one question is
#: 0.0017). The 234 English dev questions are fewer: one question is 0.0043, so there a tie
#: is two questions or fewer.
TIE = 0.005
TIE_ENGLISH = 0.009


@dataclass
class Tally:
    """Hits of one weight on one group of questions."""

    questions: int = 0
    evidence: int = 0
    quote: int = 0
    evidence5: int = 0

    def add(self, answer: Answer, question: EvalQuestion) -> None:
        """Count one answer as ``convqa eval`` scores it: its first citation's passage and
        quote, and its first 5 citations' passages, covering the gold answer."""
        self.questions += 1
        if answer.citations and not answer.abstained:
            c = answer.citations[0]
            self.evidence += covers(c.doc_id, c.start, c.end, question)
            self.quote += covers(c.doc_id, c.quote_start, c.quote_end, question)
            self.evidence5 += any(covers(x.doc_id, x.start, x.end, question) for x in answer.citations[:5])

    def rates(self) -> dict[str, float]:
        """evidence_hit@1, quote_hit@1 and evidence_hit@5."""
        n = max(1, self.questions)
        return {
            "evidence_hit@1": round(self.evidence / n, 4),
            "quote_hit@1": round(self.quote / n, 4),
            "evidence_hit@5": round(self.evidence5 / n, 4),
        }


def choose(dev: dict[float, Tally], tie: float = TIE) -> float:
    """The weight with the best dev quote_hit@1, the one nearest 1 among those within ``tie``."""
    best = max(t.rates()["quote_hit@1"] for t in dev.values())
    return min((w for w, t in dev.items() if t.rates()["quote_hit@1"] >= best - tie), key=lambda w: abs(w - 1.0))


def fit(
    dataset: Path, work: Path, settings: Settings, weights: tuple[float, ...] | None = None, english: bool = False
) -> dict:
    """Every weight's figures on the train and dev articles of ``tune``, and the choice: of
    the dense weight, or (``english``) of the lexical weight for English questions."""
    evalset, assistant = indexed_assistant(dataset, work, settings)
    pipeline = assistant.pipeline
    names = list(pipeline.retrievers)
    view = pipeline.view()
    k = assistant.settings.top_k  # the citations eval scores
    if english:
        questions = english_questions(evalset, split="tune")
        knob, language, weights = "cross_lexical_weight", "other", weights or CROSS_WEIGHTS
    else:
        questions = [q for q in evalset.questions if q.split == "tune"]
        knob, language, weights = "dense_weight", "fr", weights or WEIGHTS
    queries = [
        pipeline.query(q.question, index=view)
        for q in tqdm(questions, desc="questions", unit="q", file=sys.stderr, mininterval=5)
    ]
    if english:  # the fitted weight only applies to questions read as not French
        kept = [i for i, query in enumerate(queries) if query.language != "fr"]
        questions, queries = [questions[i] for i in kept], [queries[i] for i in kept]
    tallies: dict[str, dict[float, Tally]] = {"train": {}, "dev": {}}
    for weight in tqdm(weights, desc="weights", file=sys.stderr):
        pipeline.weights[language] = fusion_weights(settings.model_copy(update={knob: weight}), names, language)
        for q, query in zip(questions, queries):
            answer = pipeline.answer(query, k, index=view)
            tallies["dev" if dev_article(q.title) else "train"].setdefault(weight, Tally()).add(answer, q)
    groups = [group for group in ("dev", "train") if tallies[group]]
    return {
        "model": settings.model,
        "retrievers": names,
        "rrf_k": settings.rrf_k,
        "fitted": knob,
        "questions_language": "en" if english else "fr",
        knob: choose(tallies["dev"], TIE_ENGLISH if english else TIE),
        "questions": {group: next(iter(tallies[group].values())).questions for group in groups},
        "by_weight": {str(w): {group: tallies[group][w].rates() for group in groups} for w in weights},
    }


def main(argv: list[str] | None = None) -> None:
    """Fit and print the dense weight of ``--model`` (with ``--english``: its lexical weight
    for English questions)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="Working folder (the PIAF index is kept there).")
    parser.add_argument("--model", default=None, help="Embedding model (default: the configured one).")
    parser.add_argument(
        "--english", action="store_true", help="Fit the lexical weight of English questions (tune's dev articles)."
    )
    args = parser.parse_args(argv)
    base = Settings() if args.model is None else Settings(model=args.model)
    # The weight under test is set on the pipeline itself; the French fit starts from plain
    # RRF, the English one from the model's fitted dense weight.
    base = base.model_copy(update={"answerer": "sentences", "cross_lexical_weight": 1.0})
    if not args.english:
        base = base.model_copy(update={"dense_weight": 1.0})
    print(json.dumps(fit(args.dataset, args.work, base, english=args.english), indent=2))


if __name__ == "__main__":
    main()
