"""Timing the index build and asking every question, for ``convqa eval``.

Each question is timed against its floor (embed it and look it up once, measured just
before), and asked again through BM25 alone, dense retrieval alone and the LangChain
tutorial's pipeline, so that every system answers the same questions on the same machine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from tqdm import tqdm

from convqa.assistant import Assistant
from convqa.corpus.loader import load_corpus
from convqa.errors import BadQuestionError
from convqa.evaluation.baselines import LangChainChroma, bm25_spans, dense_spans
from convqa.evaluation.dataset import EvalQuestion
from convqa.evaluation.metrics import QuestionResult, Span
from convqa.index.builder import chunk_documents

WARMUP_QUESTIONS = 3


def timed(fn: Callable, *args) -> tuple[object, float]:
    """``fn(*args)`` and its wall time in ms."""
    started = time.perf_counter()
    value = fn(*args)
    return value, (time.perf_counter() - started) * 1e3


def bar(iterable: Iterable | None = None, **kwargs) -> tqdm:
    """A progress bar on stderr (stdout may carry the --json report)."""
    return tqdm(iterable, file=sys.stderr, mininterval=1.0, dynamic_ncols=True, **kwargs)


def encode_seconds(embedder, texts: list[str]) -> float:
    """Raw ``model.encode`` time of the chunk texts: same prompt, batch size and torch
    threads as indexing (the embedder drops to one thread for questions)."""
    prompts = embedder.model.prompts or {}
    before = torch.get_num_threads()
    torch.set_num_threads(getattr(embedder, "batch_threads", before))
    try:
        started = time.perf_counter()
        embedder.model.encode(
            texts,
            prompt_name="passage" if "passage" in prompts else None,
            batch_size=embedder.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return time.perf_counter() - started
    finally:
        torch.set_num_threads(before)


def _citations(answer) -> tuple[list[Span], list[Span]]:
    evidence = [Span(c.doc_id, c.start, c.end, len(c.text.split())) for c in answer.citations]
    quotes = [Span(c.doc_id, c.quote_start, c.quote_end, len(c.quote.split())) for c in answer.citations]
    return evidence, quotes


def _floor(assistant: Assistant, question: str, k: int) -> tuple[float, float]:
    """The least any system can do: embed the question and look it up once (wall, CPU ms)."""
    wall, cpu = time.perf_counter(), time.process_time()
    vector = assistant.embedder.encode_queries([question])[0]
    assistant.store.search(vector, k)
    return (time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3


def ask_one(assistant: Assistant, q: EvalQuestion, k: int, pipeline=None) -> QuestionResult:
    """One question through the assistant (or another pipeline over its indexes), timed
    against its floor measured just before."""
    floor, floor_cpu = _floor(assistant, q.question, k)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        answer = assistant.ask(q.question) if pipeline is None else pipeline.run(q.question, top_k=k)
    except BadQuestionError as exc:  # a dataset question the assistant refuses: counts as a miss
        answer, error = None, str(exc)
    latency = (time.perf_counter() - wall) * 1e3
    # CPU time (all threads) moves less than wall time when other jobs share the machine.
    extra = {"cpu_ms": (time.process_time() - cpu) * 1e3, "floor_cpu_ms": floor_cpu}
    if answer is None:
        return QuestionResult(
            q, [], latency, quotes=[], answer="", abstained=True, floor_ms=floor, extra=extra | {"error": error}
        )
    evidence, quotes = _citations(answer)
    return QuestionResult(
        q,
        evidence,
        latency,
        quotes=quotes,
        answer=answer.answer,
        abstained=answer.abstained,
        floor_ms=floor,
        extra=extra | {"timings": answer.timings},
        short=answer.short.text if answer.short else "",
    )


@dataclass
class IndexTiming:
    """Wall and CPU seconds of the index build and of encoding its chunks alone."""

    chunks: int
    index_s: float
    index_cpu: float
    encode_s: float
    encode_cpu: float


def measure_index(assistant: Assistant) -> IndexTiming:
    """Build the index through ``Assistant.index()``, then encode the same chunks alone."""
    settings = assistant.settings
    encode_seconds(assistant.embedder, ["passage de mise en route"])  # first call allocates; time neither side with it
    bars: list[tqdm] = []  # drawn at the first report, once the total is known

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(bar(total=total, unit="chunk", desc="index"))
        bars[0].total = total
        bars[0].update(done - bars[0].n)

    wall, cpu = time.perf_counter(), time.process_time()
    report = assistant.index(progress=progress)
    index_s, index_cpu = time.perf_counter() - wall, time.process_time() - cpu
    for drawn in bars:
        drawn.close()
    articles, _ = load_corpus(settings.corpus_dir, settings.max_article_bytes)
    texts = [d.page_content for d in chunk_documents(articles, settings)]
    print(f"encoding the {len(texts)} chunks alone (the index's floor)", file=sys.stderr)
    cpu = time.process_time()
    encode_s = encode_seconds(assistant.embedder, texts)
    return IndexTiming(report.chunks, index_s, index_cpu, encode_s, time.process_time() - cpu)


def ask_all(
    assistant: Assistant, questions: list[EvalQuestion], k: int
) -> tuple[list[QuestionResult], dict[str, list[QuestionResult]]]:
    """Every question through ``Assistant.ask`` (with its floor), and through BM25 and dense alone."""
    for q in questions[:WARMUP_QUESTIONS]:  # loads BM25, warms caches: not timed
        ask_one(assistant, q, k)
    system: list[QuestionResult] = []
    baselines: dict[str, list[QuestionResult]] = {"bm25": [], "dense": []}
    for q in bar(questions, unit="q", desc="ask"):
        system.append(ask_one(assistant, q, k))
        spans, ms = timed(bm25_spans, assistant, q.question, k)
        baselines["bm25"].append(QuestionResult(q, spans, ms))
        spans, ms = timed(dense_spans, assistant, q.question, k)
        baselines["dense"].append(QuestionResult(q, spans, ms))
    return system, baselines


def ask_langchain(langchain: LangChainChroma, questions: list[EvalQuestion], k: int) -> list[QuestionResult]:
    """Every question through the LangChain tutorial's ``similarity_search``."""
    results = []
    for q in bar(questions, unit="q", desc="langchain"):
        spans, ms = timed(langchain.spans, q.question, k)
        results.append(QuestionResult(q, spans, ms))
    return results
