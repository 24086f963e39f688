"""How the learned sentence ranker and the hand-tuned scorer do alone and blended, on the
dev articles of PIAF ``tune`` (docs/eval/blend-dev.json).

Each tune question (French, and the English dev questions) is retrieved once by the real
pipeline; both answer steps read the same passages. A blend ranks a question's sentences by
``answer/blended.py``'s blend at weight ``w`` (each step's scores standardised over the
question's sentences, then ``w`` of the model's). A quote hits when the best sentence lies in the
gold article and covers the gold answer, as ``convqa eval`` scores quote_hit@1. The weight is
chosen on the dev articles; the other tune articles are in the learned ranker's training data
and reported only beside it. ``test`` questions are never read.

Run: ``python scripts/measure_blend.py --dataset piaf.json --work DIR [--model NAME]``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from convqa.answer.blended import blend  # noqa: E402
from convqa.evaluation.dataset import english_questions  # noqa: E402
from convqa.evaluation.metrics import covers  # noqa: E402
from convqa.pipeline import ANSWER_STEPS  # noqa: E402
from convqa.settings import Settings  # noqa: E402
from convqa.training.examples import dev_article, indexed_assistant  # noqa: E402

WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0)


def main() -> None:
    """Print quote_hit@1 per weight and group as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--model", default="embeddinggemma-300m")
    args = parser.parse_args()
    evalset, assistant = indexed_assistant(args.dataset, args.work, Settings(model=args.model, answerer="sentences"))
    pipeline = assistant.pipeline
    view = pipeline.view()
    hand, learned = pipeline.answerer, ANSWER_STEPS["learned"](pipeline.resources)
    groups = {"fr": [q for q in evalset.questions if q.split == "tune"], "en": english_questions(evalset, split="tune")}
    hits: dict[str, dict[str, list[int]]] = {}
    for name, questions in groups.items():
        for q in tqdm(questions, desc=name):
            group = f"{name}:{'dev' if dev_article(q.title) else 'train'}"
            query = pipeline.query(q.question, index=view)
            passages = pipeline.retrieve(query, limit=8, index=view)
            by_hand, by_model = hand.run(query, passages, view), learned.run(query, passages, view)
            if not by_hand.sentences:
                for w in WEIGHTS:
                    hits.setdefault(group, {}).setdefault(str(w), []).append(0)
                continue
            # Both steps read the same candidates: matched by place.
            model = {(c.passage, c.start): c.score for c in by_model.sentences}
            hand_scores = np.array([c.score for c in by_hand.sentences])
            model_scores = np.array([model[(c.passage, c.start)] for c in by_hand.sentences])
            for w in WEIGHTS:
                best = by_hand.sentences[int(np.argmax(blend(model_scores, hand_scores, w)))]
                hit = covers(best.doc_id, best.start, best.end, q)
                hits.setdefault(group, {}).setdefault(str(w), []).append(int(hit))
    out = {
        g: {w: round(sum(v) / len(v), 4) for w, v in by_w.items()} | {"n": len(next(iter(by_w.values())))}
        for g, by_w in hits.items()
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
