"""Run the whole evaluation: corpus → index → every question → baselines → metrics.

Everything goes through the same paths as a user's: the dataset's articles are written
as Markdown files, indexed by ``Assistant.index()`` and questioned by ``Assistant.ask``,
in a temporary data directory so no existing index is touched.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from convqa.errors import BadQuestionError, ConvqaError
from convqa.evaluation.baselines import (
    TUTORIAL_CHUNK_OVERLAP, TUTORIAL_CHUNK_SIZE, LangChainChroma, bm25_spans, dense_spans,
)
from convqa.evaluation.dataset import SPLITS, EvalQuestion, load_squad, verify_corpus, write_corpus
from convqa.evaluation.reading import held_out_abstention, reading_f1
from convqa.evaluation.variants import run_variants
from convqa.evaluation.metrics import (
    INDEX_KEYS, QuestionResult, Span, hit_rank, index_metrics, peak_rss_mb, percentile, summarize,
)
from convqa.model.spec import chunk_max_words
from convqa.settings import Settings

#: Settings that shape the results (host, port, auth... do not).
CONFIG_SETTINGS = (
    "model", "embed_titles", "chunk_max_words", "chunk_min_words", "top_k", "candidates", "rrf_k",
    "max_question_chars", "retrievers", "answerer", "reader_dir", "reader_precision", "reader_abstain_below",
    "reader_short_above", "cite_min_relevance", "generator", "llm_model",
)
WARMUP_QUESTIONS = 3


def _timed(fn: Callable, *args) -> tuple[object, float]:
    started = time.perf_counter()
    value = fn(*args)
    return value, (time.perf_counter() - started) * 1e3


def _bar(iterable: Iterable | None = None, **kwargs):
    from tqdm import tqdm

    return tqdm(iterable, file=sys.stderr, mininterval=1.0, dynamic_ncols=True, **kwargs)


def eval_settings(base: Settings, corpus_dir: Path, data_dir: Path, k: int) -> Settings:
    """The base settings (defaults + CONVQA_* environment) on a fresh embedded store."""
    values = base.model_dump() | {
        "corpus_dir": corpus_dir, "data_dir": data_dir, "chroma_url": None, "collection": "convqa-eval", "top_k": k,
        # Retrieval is scored on k citations: every passage up to k is cited, supporting or not.
        "cite_min_relevance": 0.0,
    }
    return Settings(**values)


def encode_seconds(embedder, texts: list[str]) -> float:
    """Raw ``model.encode`` time of the chunk texts: same prompt, batch size and torch
    threads as indexing (the embedder drops to one thread for questions)."""
    import torch

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


def code_version() -> dict:
    """The git commit of the evaluated code and whether the work tree differs from it."""
    import subprocess

    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if commit.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def _citations(answer) -> tuple[list[Span], list[Span]]:
    evidence = [Span(c.doc_id, c.start, c.end, len(c.text.split())) for c in answer.citations]
    quotes = [Span(c.doc_id, c.quote_start, c.quote_end, len(c.quote.split())) for c in answer.citations]
    return evidence, quotes


def _floor(assistant, question: str, k: int) -> tuple[float, float]:
    """The least any system can do: embed the question and look it up once (wall, CPU ms)."""
    wall, cpu = time.perf_counter(), time.process_time()
    vector = assistant.embedder.encode_queries([question])[0]
    assistant.store.search(vector, k)
    return (time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3


def _ask(assistant, q: EvalQuestion, k: int, pipeline=None) -> QuestionResult:
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
        return QuestionResult(q, [], latency, quotes=[], answer="", abstained=True, floor_ms=floor,
                              extra=extra | {"error": error})
    evidence, quotes = _citations(answer)
    return QuestionResult(q, evidence, latency, quotes=quotes, answer=answer.answer, abstained=answer.abstained,
                          floor_ms=floor, extra=extra | {"timings": answer.timings},
                          short=answer.short.text if answer.short else "")


def _cpu_summary(system: list[QuestionResult], index_cpu: float, encode_cpu: float) -> dict:
    """The speed ratios again in CPU time: a check on wall-clock figures taken under load."""
    ask = percentile([r.extra["cpu_ms"] for r in system], 50)
    floor = percentile([r.extra["floor_cpu_ms"] for r in system], 50)
    return {
        "ask_ms_p50": round(ask, 2), "floor_ms_p50": round(floor, 2),
        "latency_floor_ratio": round(ask / floor, 3) if floor else None,
        "index_seconds": round(index_cpu, 3), "encode_seconds": round(encode_cpu, 3),
        "index_encode_ratio": round(index_cpu / encode_cpu, 3) if encode_cpu else None,
    }


def _summaries(results: list[QuestionResult]) -> dict:
    out = summarize(results)
    out.pop("n_questions")
    return out


def _by_split(results: list[QuestionResult]) -> dict:
    return {split: summarize([r for r in results if r.question.split == split]) for split in SPLITS}


def _question_rows(system: list[QuestionResult], baselines: dict[str, list[QuestionResult]]) -> Iterable[dict]:
    """One JSON line per question, for reading the misses."""
    for i, r in enumerate(system):
        q = r.question
        row = {
            "id": q.id, "split": q.split, "question": q.question, "gold": q.answer, "doc_id": q.doc_id,
            "start": q.start, "end": q.end, "answer": r.answer, "abstained": r.abstained,
            "evidence_rank": hit_rank(r.evidence, q), "quote_rank": hit_rank(r.quotes or [], q),
            "cited": [[s.doc_id, s.start, s.end] for s in r.evidence[:3]],
            "latency_ms": round(r.latency_ms, 2), "floor_ms": round(r.floor_ms or 0.0, 2),
            "cpu_ms": round(r.extra["cpu_ms"], 2), "timings": r.extra.get("timings"),
        } | {f"{name}_rank": hit_rank(results[i].evidence, q) for name, results in baselines.items()}
        if "error" in r.extra:
            row["error"] = r.extra["error"]
        yield row


@dataclass
class IndexTiming:
    """Wall and CPU seconds of the index build and of encoding its chunks alone."""

    chunks: int
    index_s: float
    index_cpu: float
    encode_s: float
    encode_cpu: float


def measure_index(assistant) -> IndexTiming:
    """Build the index through ``Assistant.index()``, then encode the same chunks alone."""
    from convqa.corpus.loader import load_corpus
    from convqa.index.builder import chunk_documents

    settings = assistant.settings
    encode_seconds(assistant.embedder, ["passage de mise en route"])  # first call allocates; time neither side with it
    bar = _bar(total=0, unit="chunk", desc="index")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    wall, cpu = time.perf_counter(), time.process_time()
    report = assistant.index(progress=progress)
    index_s, index_cpu = time.perf_counter() - wall, time.process_time() - cpu
    bar.close()
    articles, _ = load_corpus(settings.corpus_dir, settings.max_article_bytes)
    texts = [d.page_content for d in chunk_documents(articles, settings)]
    print(f"encoding the {len(texts)} chunks alone (the index's floor)", file=sys.stderr)
    cpu = time.process_time()
    encode_s = encode_seconds(assistant.embedder, texts)
    return IndexTiming(report.chunks, index_s, index_cpu, encode_s, time.process_time() - cpu)


def ask_all(assistant, questions: list[EvalQuestion], k: int) -> tuple[list[QuestionResult], dict[str, list[QuestionResult]]]:
    """Every question through ``Assistant.ask`` (with its floor), and through BM25 and dense alone."""
    for q in questions[:WARMUP_QUESTIONS]:  # loads BM25, warms caches: not timed
        _ask(assistant, q, k)
    system: list[QuestionResult] = []
    baselines: dict[str, list[QuestionResult]] = {"bm25": [], "dense": []}
    for q in _bar(questions, unit="q", desc="ask"):
        system.append(_ask(assistant, q, k))
        spans, ms = _timed(bm25_spans, assistant, q.question, k)
        baselines["bm25"].append(QuestionResult(q, spans, ms))
        spans, ms = _timed(dense_spans, assistant, q.question, k)
        baselines["dense"].append(QuestionResult(q, spans, ms))
    return system, baselines


def ask_langchain(langchain: LangChainChroma, questions: list[EvalQuestion], k: int) -> list[QuestionResult]:
    """Every question through the LangChain tutorial's ``similarity_search``."""
    results = []
    for q in _bar(questions, unit="q", desc="langchain"):
        spans, ms = _timed(langchain.spans, q.question, k)
        results.append(QuestionResult(q, spans, ms))
    return results


def run_eval(
    dataset: Path,
    out_dir: Path,
    *,
    limit: int | None = None,
    k: int = 10,
    settings: Settings | None = None,
    held_out_articles: bool = False,
    variants: list[str] | None = None,
    split: str | None = None,
) -> dict:
    """Evaluate convqa and the baselines on a SQuAD-format dataset; write the reports into
    ``out_dir`` and return the metrics (the metrics.json content)."""
    from convqa.evaluation.report import write_reports

    started = time.perf_counter()
    version = code_version()  # before the long run: others may commit meanwhile
    evalset = load_squad(dataset, limit)
    if split is not None:  # every article is still indexed; only this split's questions are asked
        evalset.questions = [q for q in evalset.questions if q.split == split]
    if not evalset.questions:
        raise ConvqaError("no_usable_question", dataset=dataset)
    with tempfile.TemporaryDirectory(prefix="convqa-eval-") as tmp:
        root = Path(tmp)
        write_corpus(evalset, root / "corpus")
        settings = eval_settings(settings or Settings(), root / "corpus", root / "data", k)
        verify_corpus(evalset, settings.corpus_dir, settings.max_article_bytes)
        from convqa.assistant import Assistant
        from convqa.corpus.loader import load_corpus

        print(f"loading the model; {len(evalset.articles)} articles, {len(evalset.questions)} questions",
              file=sys.stderr)
        assistant = Assistant(settings)
        timing = measure_index(assistant)
        system, baselines = ask_all(assistant, evalset.questions, k)
        assistant_answerer = assistant.pipeline.answerer
        peak = peak_rss_mb()  # before the LangChain baseline adds its own collection
        test = [r for r in system if r.question.split == "test"]
        for r in _bar(test, unit="q", desc="reading (gold passage)"):
            f1 = reading_f1(assistant, r.question)
            if f1 is not None:
                r.extra["reading_f1"] = f1
        compared = run_variants(assistant, [r.question for r in test], k, variants, _ask) if variants else None
        held_out = None
        if held_out_articles:
            print("asking the test questions without their own article", file=sys.stderr)
            held_out = held_out_abstention(assistant, _bar([r.question for r in test], unit="q", desc="held out"), k)

        print("building the LangChain tutorial baseline", file=sys.stderr)
        langchain = LangChainChroma(assistant.embedder, root / "langchain-chroma")
        langchain.build(load_corpus(settings.corpus_dir, settings.max_article_bytes)[0])
        baselines["langchain_chroma"] = ask_langchain(langchain, evalset.questions, k)

    metrics: dict = _summaries(system) | index_metrics(timing.index_s, timing.chunks, timing.encode_s, peak)
    metrics["splits"] = _by_split(system)
    metrics["cpu_time"] = _cpu_summary(system, timing.index_cpu, timing.encode_cpu)
    if held_out is not None:
        metrics["held_out_articles"] = held_out | {"split": "test"}
    if compared is not None:
        metrics["variants"] = compared
    metrics["baselines"] = {}
    for name, results in baselines.items():
        entry = _summaries(results) | {key: None for key in INDEX_KEYS} | {"splits": _by_split(results)}
        if name == "langchain_chroma":
            entry |= index_metrics(langchain.index_seconds, langchain.chunks, None, None) | {"chunks": langchain.chunks}
        metrics["baselines"][name] = entry
    metrics["config"] = {
        "dataset": str(dataset),
        "limit": limit,
        "split": split,
        "k": k,
        "n_questions": len(evalset.questions),
        "n_articles": len(evalset.articles),
        "split_questions": {s: sum(q.split == s for q in evalset.questions) for s in SPLITS},
        "split_articles": {s: sum(a.split == s for a in evalset.articles) for s in SPLITS},
        "chunks": timing.chunks,
        "settings": {key: (str(v) if isinstance(v, Path) else v) for key in CONFIG_SETTINGS
                     for v in [getattr(settings, key)]} | {"chunk_max_words": chunk_max_words(settings)},
        "answerer": getattr(assistant_answerer, "description", settings.answerer),
        "answers_repaired": evalset.repaired,
        "questions_dropped": evalset.dropped,
        "questions_refused": [r.question.id for r in system if "error" in r.extra],
        "warmup_questions": min(WARMUP_QUESTIONS, len(evalset.questions)),
        "floor": f"encode_queries + store.search(k={k})",
        "langchain_chroma": {"chunk_size": TUTORIAL_CHUNK_SIZE, "chunk_overlap": TUTORIAL_CHUNK_OVERLAP,
                             "add_start_index": True, "misplaced_chunks": langchain.misplaced},
        "code": version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "questions.jsonl").open("w", encoding="utf-8") as handle:
        for row in _question_rows(system, baselines):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    write_reports(metrics, out_dir)
    return metrics
