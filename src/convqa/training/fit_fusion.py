"""The dense retriever's weight in reciprocal-rank fusion, fitted per embedding model on
PIAF's ``tune`` split.

Plain RRF gives both retrievers the same say. With a stronger dense side (EmbeddingGemma's
paragraph hit@1 is 0.724 against BM25's 0.668) that throws a lead away: a passage ranked
3rd by the vectors but missed by BM25 falls behind every passage both lists hold, however
weakly. Each tune question is embedded once; then, for every candidate weight, the real
pipeline retrieves, fuses with ``w / (k + rank)`` for the dense list, answers with the
hand-tuned step and is scored as ``convqa eval`` scores it (the first citation's passage
and quote covering the gold answer).

The weight is chosen on the dev articles of ``tune`` (convqa.training.examples.dev_article):
the best quote_hit@1, the smaller change from 1 on a tie within 0.005; the other tune
articles are reported beside it. ``test`` questions are never read.

Run: ``python -m convqa.training.fit_fusion --dataset piaf.json --work DIR --model NAME``
(the index in ``DIR`` is reused by ``convqa train-answerer --work DIR``).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from convqa.evaluation.metrics import covers
from convqa.pipeline import fusion_weights
from convqa.settings import Settings
from convqa.training.examples import dev_article, indexed_assistant

#: Dense weights tried (the lexical list keeps weight 1).
WEIGHTS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
#: Differences of quote_hit@1 smaller than this are ties (585 dev questions: one question is 0.0017).
TIE = 0.005


@dataclass
class Tally:
    """Hits of one weight on one group of questions."""

    questions: int = 0
    evidence: int = 0
    quote: int = 0

    def rates(self) -> dict[str, float]:
        """evidence_hit@1 and quote_hit@1."""
        n = max(1, self.questions)
        return {"evidence_hit@1": round(self.evidence / n, 4), "quote_hit@1": round(self.quote / n, 4)}


def choose(dev: dict[float, Tally]) -> float:
    """The weight with the best dev quote_hit@1, the one nearest 1 among those within TIE."""
    best = max(t.rates()["quote_hit@1"] for t in dev.values())
    return min((w for w, t in dev.items() if t.rates()["quote_hit@1"] >= best - TIE), key=lambda w: abs(w - 1.0))


def fit(dataset: Path, work: Path, settings: Settings, weights: tuple[float, ...] = WEIGHTS) -> dict:
    """Every weight's figures on the train and dev articles of ``tune``, and the choice."""
    evalset, assistant = indexed_assistant(dataset, work, settings)
    pipeline = assistant.pipeline
    names = list(pipeline.retrievers)
    view = pipeline.view()
    k = assistant.settings.top_k  # the citations eval scores
    questions = [q for q in evalset.questions if q.split == "tune"]
    queries = [
        pipeline.query(q.question, index=view)
        for q in tqdm(questions, desc="questions", unit="q", file=sys.stderr, mininterval=5)
    ]
    tallies: dict[str, dict[float, Tally]] = {"train": {}, "dev": {}}
    for weight in tqdm(weights, desc="weights", file=sys.stderr):
        pipeline.fusion.weights = fusion_weights(settings.model_copy(update={"dense_weight": weight}), names)
        for q, query in zip(questions, queries):
            passages = pipeline.retrieve(query, limit=max(k, 8), index=view)
            answer = pipeline.composer.run(query, passages, pipeline.answerer.run(query, passages, view), k)
            tally = tallies["dev" if dev_article(q.title) else "train"].setdefault(weight, Tally())
            tally.questions += 1
            if answer.citations and not answer.abstained:
                c = answer.citations[0]
                tally.evidence += covers(c.doc_id, c.start, c.end, q)
                tally.quote += covers(c.doc_id, c.quote_start, c.quote_end, q)
    return {
        "model": settings.model,
        "retrievers": names,
        "rrf_k": settings.rrf_k,
        "dense_weight": choose(tallies["dev"]),
        "questions": {group: next(iter(t.values())).questions for group, t in tallies.items()},
        "by_weight": {str(w): {group: tallies[group][w].rates() for group in ("dev", "train")} for w in weights},
    }


def main(argv: list[str] | None = None) -> None:
    """Fit and print the dense weight of ``--model``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="Working folder (the PIAF index is kept there).")
    parser.add_argument("--model", default=None, help="Embedding model (default: the configured one).")
    args = parser.parse_args(argv)
    base = Settings() if args.model is None else Settings(model=args.model)
    # Pinned to plain RRF while fitting: the weight under test is set on the fusion step itself.
    base = base.model_copy(update={"dense_weight": 1.0, "answerer": "sentences"})
    print(json.dumps(fit(args.dataset, args.work, base), indent=2))


if __name__ == "__main__":
    main()
