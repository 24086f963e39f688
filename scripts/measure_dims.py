"""EmbeddingGemma cut to its first 768, 512 or 256 dimensions (``CONVQA_EMBED_DIMS``),
measured end to end on PIAF without re-embedding anything (docs/eval/gemma-dims.json).

The cut is Matryoshka's: the leading dimensions of a vector, renormalised
(``convqa.model.onnx_encoder.cut_dimensions``, the same function an index run with
``CONVQA_EMBED_DIMS`` applies to every vector it stores). So the 768-dimension index that
``convqa.training.fit_fusion`` builds in ``--work`` holds every cut index too: each
passage and sentence vector is cut here, held in memory, and the real pipeline (fusion
with the model's weights, the hand-tuned answer step with the cut's own calibration, the
composer) answers each question over it, scored as ``convqa eval`` scores it.

Groups: tune's dev articles (where a choice would be made) and ``test``, French and
the hand-translated English questions of each. Dense-only passage hits are given beside
the pipeline's, and the bytes one vector takes in the store.

Run: ``python scripts/measure_dims.py --dataset piaf.json --work DIR [--dims 768,512,256]``
(``--model multilingual-e5-small --dims 384``: e5's figures, uncut, by the same route).
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from convqa.answer.candidates import SentenceVectors  # noqa: E402
from convqa.evaluation.dataset import english_questions  # noqa: E402
from convqa.evaluation.metrics import covers  # noqa: E402
from convqa.index.paging import pages  # noqa: E402
from convqa.index.vectors import DenseHit  # noqa: E402
from convqa.model.calibration import calibration_for  # noqa: E402
from convqa.model.onnx_encoder import cut_dimensions  # noqa: E402
from convqa.pipeline import Pipeline  # noqa: E402
from convqa.retrieval.types import Passage  # noqa: E402
from convqa.settings import Settings  # noqa: E402
from convqa.training.examples import dev_article, indexed_assistant  # noqa: E402
from convqa.training.fit_fusion import Tally  # noqa: E402


class CutStore:
    """The vector store's passages with their vectors cut to ``dims`` (search and cosines
    in memory, as the store's own cosine search would give them)."""

    def __init__(self, store, dims: int) -> None:
        ids, texts, metas, vectors = [], [], [], []
        for got in pages(store.collection, ["documents", "metadatas", "embeddings"], 2000):
            ids += got["ids"]
            texts += got["documents"]
            metas += [dict(m or {}) for m in got["metadatas"]]
            vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
        self.ids, self.texts, self.metas = ids, texts, metas
        stored = np.concatenate(vectors)
        self.full = stored.shape[1]
        self.vectors = cut_dimensions(stored, dims)
        self.row = {c: i for i, c in enumerate(ids)}

    def count(self) -> int:
        return len(self.ids)

    def search(self, vector, k: int) -> list[DenseHit]:
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        top = np.argsort(-sims)[:k]
        return [DenseHit(self.ids[i], self.texts[i], dict(self.metas[i]), float(sims[i])) for i in top]

    def similarities(self, vector, ids: list[str]) -> dict[str, float]:
        q = np.asarray(vector, dtype=np.float32)
        return {c: float(self.vectors[self.row[c]] @ q) for c in ids if c in self.row}


class CutSentences:
    """The stored sentence vectors, cut."""

    def __init__(self, stored, dims: int) -> None:
        self.stored, self.dims = stored, dims

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        return {c: cut_dimensions(v, self.dims) for c, v in self.stored.vectors(chunk_ids).items()}


class CutEmbedder:
    """The embedder, its vectors cut (a sentence not stored is encoded, then cut)."""

    def __init__(self, embedder, dims: int) -> None:
        self.embedder, self.dims = embedder, dims

    def encode_queries(self, texts):
        return cut_dimensions(np.asarray(self.embedder.encode_queries(texts)), self.dims)

    def encode_passages(self, texts):
        return cut_dimensions(np.asarray(self.embedder.encode_passages(texts)), self.dims)


def cut_pipeline(pipeline: Pipeline, dims: int) -> Pipeline:
    """The same pipeline over the vectors cut to ``dims``, with that cut's calibration."""
    r = pipeline.resources
    embedder, store = CutEmbedder(r.embedder, dims), CutStore(r.store, dims)
    cut = replace(
        r,
        embedder=embedder,
        store=store,
        sentence_vectors=SentenceVectors(embedder, CutSentences(r.sentence_vectors.stored, dims)),
        calibration=r.calibration if dims >= store.full else calibration_for(r.settings.model, dims),
    )
    return Pipeline(cut)


def main() -> None:
    """Print (and with ``--out``, write) every cut's figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--model", default="embeddinggemma-300m")
    parser.add_argument("--dims", default="768,512,256")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    evalset, assistant = indexed_assistant(args.dataset, args.work, Settings(model=args.model, answerer="sentences"))
    pipeline, k = assistant.pipeline, assistant.settings.top_k
    view = pipeline.view()
    groups = {
        "dev fr": [q for q in evalset.questions if q.split == "tune" and dev_article(q.title)],
        "dev en": english_questions(evalset, split="tune"),
        "test fr": [q for q in evalset.questions if q.split == "test"],
        "test en": english_questions(evalset, split="test"),
    }
    queries = {
        name: [pipeline.query(q.question, index=view) for q in tqdm(qs, desc=f"embedding {name}")]
        for name, qs in groups.items()
    }
    out: dict = {}
    for dims in map(int, args.dims.split(",")):
        cut = cut_pipeline(pipeline, dims)
        figures = {"bytes_per_vector": dims * 4}
        for name, qs in groups.items():
            tally, dense1, dense5 = Tally(), 0, 0
            for q, query in zip(qs, tqdm(queries[name], desc=f"{dims} dims, {name}")):
                query = replace(query, vector=cut_dimensions(query.vector[None, :], dims)[0])
                tally.add(cut.answer(query, k, index=view), q)
                hits = cut.resources.store.search(query.vector, 5)
                passages = [Passage(h.chunk_id, h.text, h.metadata) for h in hits]
                ranks = [i for i, p in enumerate(passages) if covers(p.doc_id, p.start, p.end, q)]
                dense1 += bool(ranks) and ranks[0] == 0
                dense5 += bool(ranks)
            n = max(1, len(qs))
            figures[name] = tally.rates() | {
                "questions": len(qs),
                "dense_hit@1": round(dense1 / n, 4),
                "dense_hit@5": round(dense5 / n, 4),
            }
        out[str(dims)] = figures
        print(json.dumps({dims: figures}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
