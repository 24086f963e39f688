"""The grid that chose two settings of the hand-tuned answer step (docs/eval/hand-tuned-fit-gemma.md):
the typed answer-type cue (on/off, and its bonus) and how many passages' sentences are
compared with the question by their vectors (``SIMILARITY_PASSAGES``).

Every tune question (French) and every English dev question of tune goes through the real
pipeline on the PIAF index that ``convqa.training.fit_fusion`` builds in ``--work``, and is
scored as ``convqa eval`` scores it. Choices are made on the dev articles of tune; test
questions are never read. The module constants are set for the run only: this is a record
of a measurement, not a setting.

Run: ``python scripts/grid_hand_tuned.py --dataset piaf.json --work DIR [--model NAME]``;
``--passages 3,5,8,all`` runs only the typed cue at its bonus with those passage counts
(docs/eval/hand-tuned-passages.json; "all": every passage read).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import convqa.answer.prerank as prerank  # noqa: E402
import convqa.answer.sentences as sentences  # noqa: E402
from convqa.evaluation.dataset import english_questions  # noqa: E402
from convqa.settings import Settings  # noqa: E402
from convqa.training.examples import dev_article, indexed_assistant  # noqa: E402
from convqa.training.fit_fusion import Tally  # noqa: E402

TYPED = sentences.SentenceScorer._typed_cue


def _untyped(self, query, passages, index):
    """The pattern cue of answer/candidates.py only (the step before the typed cue)."""
    return lambda c: c


def main() -> None:
    """Print every grid point's figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--model", default="embeddinggemma-300m")
    parser.add_argument("--passages", help="only these passage counts, comma-separated ('all': every one read)")
    args = parser.parse_args()
    settings = Settings(model=args.model, answerer="sentences")
    evalset, assistant = indexed_assistant(args.dataset, args.work, settings)
    pipeline, k = assistant.pipeline, assistant.settings.top_k
    view = pipeline.view()
    groups = {"fr": [q for q in evalset.questions if q.split == "tune"], "en": english_questions(evalset, split="tune")}
    queries = {name: [pipeline.query(q.question, index=view) for q in qs] for name, qs in groups.items()}

    def run(name: str) -> dict:
        tallies = {"dev": Tally(), "train": Tally()}
        for q, query in zip(groups[name], queries[name]):
            answer = pipeline.answer(query, k, index=view)
            tallies["dev" if dev_article(q.title) else "train"].add(answer, q)
        return {group: t.rates() for group, t in tallies.items() if t.questions}

    if args.passages:
        grid = [(True, 0.08, None if p == "all" else int(p)) for p in args.passages.split(",")]
    else:
        grid = [(False, 0.08, 3)] + [(True, bonus, 3) for bonus in (0.08, 0.12, 0.16, 0.24)]
        grid += [(True, 0.08, pool) for pool in (5, 8)]
    out = {}
    for typed, bonus, pool in grid:
        sentences.SentenceScorer._typed_cue = TYPED if typed else _untyped
        prerank.CUE_BONUS, sentences.SIMILARITY_PASSAGES = bonus, pool
        out[f"typed={typed} bonus={bonus} passages={pool or 'all'}"] = {name: run(name) for name in groups}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
