"""Index time with and without the French analysis, against the raw encoding of the passages.

Indexes a corpus folder twice into fresh data directories (analysis off, then on; spaCy's
load is timed apart and included in the "on" figure), and encodes the same chunk texts
with the embedder alone. The embedding model is loaded once, outside every figure.

    flock /tmp/heavy.lock python scripts/measure_index_analysis.py corpus
    flock /tmp/heavy.lock python scripts/measure_index_analysis.py --piaf test --articles 40
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from convqa.index.builder import build_index, chunk_documents
from convqa.model.embedder import Embedder
from convqa.model.spec import spec_for
from convqa.settings import Settings


def piaf_corpus(split: str, articles: int, folder: Path) -> Path:
    """The first ``articles`` articles of a PIAF split, written as a corpus folder."""
    from convqa.evaluation.dataset import EvalSet, load_squad, write_corpus

    full = load_squad(Path("/work/shared/eval/piaf-v1.0.json"))
    chosen = [a for a in full.articles if a.split == split][:articles]
    write_corpus(EvalSet(path=full.path, articles=chosen), folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--piaf", choices=("tune", "test"))
    parser.add_argument("--articles", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="measure-index-"))
    corpus = args.corpus or piaf_corpus(args.piaf, args.articles, work / "corpus")
    embedder = Embedder(spec_for(Settings().model), work / "models")
    embedder.encode_passages(["amorce"])
    figures: dict[str, float | int | str] = {"corpus": str(args.corpus or f"piaf {args.piaf} ×{args.articles}")}
    for analyse in (False, True):
        settings = Settings(corpus_dir=corpus, data_dir=work / f"data-{analyse}", analyse_passages=analyse)
        if analyse:
            from convqa.analysis.french import load

            started = time.perf_counter()
            load()
            figures["spacy_load_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        report = build_index(settings, embedder=embedder)
        figures[f"index_{'with' if analyse else 'without'}_analysis_s"] = round(time.perf_counter() - started, 1)
        figures["chunks"] = report.chunks
    from convqa.corpus.loader import load_corpus

    texts = [d.page_content for d in chunk_documents(load_corpus(corpus)[0], settings)]
    started = time.perf_counter()
    embedder.encode_passages(texts)
    raw = time.perf_counter() - started
    figures["raw_encoding_s"] = round(raw, 1)
    with_load = figures["index_with_analysis_s"] + figures["spacy_load_s"]
    figures["ratio_without"] = round(figures["index_without_analysis_s"] / raw, 2)
    figures["ratio_with"] = round(figures["index_with_analysis_s"] / raw, 2)
    figures["ratio_with_spacy_load"] = round(with_load / raw, 2)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
