"""Measure a French spaCy pipeline for the index-time analysis, on PIAF ``tune`` paragraphs.

For one model (run it once per model, in a fresh process, so that load time and RSS are
its own): load time, RSS after load, parse time per paragraph and per 100 words, and the
candidate upper bound: the share of tune questions whose gold answer equals one mention of
its paragraph, after case folding and stripping punctuation and leading articles, by
mention kind and overall.

    flock /tmp/heavy.lock python scripts/measure_analysis.py fr_core_news_md --dataset piaf-v1.0.json
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import time
import unicodedata
from collections import Counter

from convqa.analysis.french import iter_parse, load
from convqa.evaluation.dataset import split_of

_ARTICLE = re.compile(r"^(?:(?:les|la|le|une|un|des|du|de la)\s+|(?:de l|l|d)['’]\s*)", re.IGNORECASE)


def normal(text: str) -> str:
    """Case-folded words without punctuation and without a leading article."""
    text = unicodedata.normalize("NFC", text).strip().casefold()
    text = _ARTICLE.sub("", text)
    text = re.sub(r"[^\w%€$]+", " ", text)
    return " ".join(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--dataset", default="/work/shared/eval/piaf-v1.0.json")
    parser.add_argument("--limit", type=int, default=0, help="paragraphs (0: all of tune)")
    args = parser.parse_args()
    paragraphs = []
    for article in json.load(open(args.dataset, encoding="utf-8"))["data"]:
        if split_of(article["title"]) == "tune":
            paragraphs += article["paragraphs"]
    if args.limit:
        paragraphs = paragraphs[: args.limit]
    started = time.perf_counter()
    load(args.model)
    loaded = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    texts = [p["context"] for p in paragraphs]
    started = time.perf_counter()
    analyses = list(iter_parse(texts, model=args.model))
    parsed = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    hits, questions = Counter(), 0
    for para, analysis in zip(paragraphs, analyses, strict=True):
        by_kind: dict[str, set[str]] = {}
        for m in analysis.mentions:
            by_kind.setdefault(m.kind, set()).add(normal(para["context"][m.start : m.end]))
        for qa in para["qas"]:
            questions += 1
            gold = normal(qa["answers"][0]["text"])
            found = {kind for kind, texts_ in by_kind.items() if gold in texts_}
            hits.update(found)
            hits["any"] += bool(found)
    per = analyses and sum(len(a.mentions) for a in analyses) / len(analyses)
    report = {
        "model": args.model,
        "load_s": round(loaded, 1),
        "rss_mb_after_load": round(rss),
        "paragraphs": len(texts),
        "words": words,
        "parse_s": round(parsed, 1),
        "s_per_paragraph": round(parsed / max(len(texts), 1), 3),
        "s_per_100_words": round(100 * parsed / max(words, 1), 3),
        "mentions_per_paragraph": round(per, 1),
        "questions": questions,
        "upper_bound": {k: round(v / questions, 3) for k, v in sorted(hits.items(), key=lambda kv: -kv[1])},
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
