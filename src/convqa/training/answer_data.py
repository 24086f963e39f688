"""The training data of ``convqa train-answerer``: every tune question's retrieved passages
under three conditions, retrieved once and cached.

- ``own``: the question against the whole index (ordinary questions: positives);
- ``held``: its own article left out (the article is not indexed: a negative);
- ``near``: only its own paragraph's chunks left out, the rest of the article kept (a near
  miss: on topic, but the answer is not there: a negative).

Each condition keeps the top 8 fused passages with their retrieval signals, and for each of
their sentences the signals that need the index or the model (IDF-weighted coverage, the
cue, the cosine with the question from the stored sentence vectors), so that feature work
and retraining never retrieve again. Questions of ``test`` articles are never read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

from tqdm import tqdm

from convqa.answer.candidates import sentence_candidates
from convqa.answer.names import names_nothing_known
from convqa.evaluation.dataset import paragraph_range
from convqa.index.analyzer import analyze
from convqa.retrieval.types import Passage
from convqa.settings import Settings
from convqa.training.examples import dev_article, indexed_assistant

CONDITIONS = ("own", "held", "near")
#: Passages kept per condition (the answer step reads the top fused ones).
KEEP = 8
#: Passages retrieved once per question; each condition filters them.
POOL = 30


def _passage_row(p: Passage) -> dict:
    signals = {k: round(float(v), 5) for k, v in p.signals.items()}
    return {"chunk": p.chunk_id, "doc": p.doc_id, "start": p.start, "end": p.end, "score": p.score, "signals": signals}


def _condition(assistant, query, passages: list[Passage], view, exclude: frozenset[str]) -> dict:
    """The kept passages and each sentence's index-bound signals."""
    lexical = view.lexical
    cands = sentence_candidates(query, passages, lexical)
    assistant.sentence_vectors.prefetch(passages)
    sims = assistant.sentence_vectors.similarities(query.vector, [c.text for c in cands]) if cands else []
    sentences = [
        [c.passage, c.start, c.end, round(c.coverage, 5), c.features["cue"], round(float(s), 5)]
        for c, s in zip(cands, sims)
    ]
    unknown = names_nothing_known(query.text, query.language, lambda terms: lexical.mentions(terms, exclude))
    return {"passages": [_passage_row(p) for p in passages], "sentences": sentences, "names_unknown": unknown}


def build_answer_data(dataset: Path, work: Path, settings: Settings, limit: int | None = None) -> Path:
    """Retrieve every tune question's passages under the three conditions; write them to
    ``work/answer-data.json.gz`` (with every chunk's text) and return its path."""
    evalset, assistant = indexed_assistant(dataset, work, settings)
    questions = [q for q in evalset.questions if q.split == "tune"]
    if limit:  # smoke runs: spread over the articles, so that dev ones are among them
        questions = questions[:: max(1, len(questions) // limit)][:limit]
    articles = {a.doc_id: a for a in evalset.articles}
    lexical = assistant.lexical
    texts = dict(zip(lexical.ids, lexical.texts))
    spans = {i: m.get("sentences") for i, m in zip(lexical.ids, lexical.metadatas)}
    rows = []
    for q in tqdm(questions, desc="answer data", unit="q", file=sys.stderr, mininterval=5):
        article = articles[q.doc_id]
        para = paragraph_range(article.text, article.paragraph_starts, q.start)
        view = assistant.pipeline.view()
        query = assistant.pipeline.query(q.question, index=view)
        pool = assistant.pipeline.retrieve(query, limit=POOL, index=view)
        kept = {
            "own": pool[:KEEP],
            "held": [p for p in pool if p.doc_id != q.doc_id][:KEEP],
            "near": [p for p in pool if not (p.doc_id == q.doc_id and p.start < para[1] and p.end > para[0])][:KEEP],
        }
        terms = list(dict.fromkeys(analyze(q.question)))
        row = {
            "id": q.id,
            "question": q.question,
            "answer": q.answer,
            "language": query.language,
            "doc": q.doc_id,
            "start": q.start,
            "end": q.end,
            "para": list(para),
            "split": "dev" if dev_article(q.title) else "train",
            "idf": dict(zip(terms, (round(float(x), 4) for x in lexical.idf(terms)))) if terms else {},
        }
        for name in CONDITIONS:
            exclude = frozenset({q.doc_id}) if name == "held" else frozenset()
            row[name] = _condition(assistant, query, kept[name], view, exclude)
        rows.append(row)
    used = sorted({p["chunk"] for r in rows for c in CONDITIONS for p in r[c]["passages"]})
    chunks = {i: {"text": texts[i], "sentences": spans[i]} for i in used}
    path = work / "answer-data.json.gz"
    data = {"questions": rows, "chunks": chunks, "dataset": str(dataset), "limit": limit, "model": settings.model}
    write_json_gz(path, data)
    return path


def write_json_gz(path: Path, data: object) -> None:
    """Deterministic gzip'd JSON (no timestamp in the header: the same data, the same sha256)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    tmp.replace(path)


def read_json_gz(path: Path) -> dict:
    """The data written by ``write_json_gz``."""
    with gzip.open(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def sha256_of(path: Path) -> str:
    """The file's sha256 (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
