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
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from convqa.assistant import Assistant
from convqa.corpus.loader import load_corpus
from convqa.errors import ConvqaError
from convqa.evaluation.asking import WARMUP_QUESTIONS, IndexTiming, ask_all, ask_langchain, measure_index
from convqa.evaluation.baselines import TUTORIAL_CHUNK_OVERLAP, TUTORIAL_CHUNK_SIZE, LangChainChroma
from convqa.evaluation.dataset import (
    SPLITS,
    EvalQuestion,
    EvalSet,
    english_questions,
    load_squad,
    verify_corpus,
    write_corpus,
)
from convqa.evaluation.extras import Extras, measure_extras
from convqa.evaluation.machine import code_version, folder_mb, share_models, workspace
from convqa.evaluation.metrics import (
    INDEX_KEYS,
    QuestionResult,
    hit_rank,
    index_metrics,
    peak_rss_mb,
    percentile,
    summarize,
)
from convqa.evaluation.provenance import CONFIG_SETTINGS
from convqa.evaluation.report import write_reports
from convqa.model.spec import chunk_max_words
from convqa.settings import Settings


def eval_settings(base: Settings, corpus_dir: Path, data_dir: Path, k: int) -> Settings:
    """The caller's settings (``base``) on a fresh embedded store, with k citations per answer."""
    values = base.model_dump() | {
        "corpus_dir": corpus_dir,
        "data_dir": data_dir,
        "chroma_url": None,
        "collection": "convqa-eval",
        "top_k": k,
        # Retrieval is scored on k citations: every passage up to k is cited, supporting or not.
        "cite_min_relevance": 0.0,
    }
    return Settings(**values)


def _cpu_summary(system: list[QuestionResult], index_cpu: float, encode_cpu: float) -> dict:
    """The speed ratios again in CPU time: a check on wall-clock figures taken under load."""
    ask = percentile([r.extra["cpu_ms"] for r in system], 50)
    floor = percentile([r.extra["floor_cpu_ms"] for r in system], 50)
    return {
        "ask_ms_p50": round(ask, 2),
        "floor_ms_p50": round(floor, 2),
        "latency_floor_ratio": round(ask / floor, 3) if floor else None,
        "index_seconds": round(index_cpu, 3),
        "encode_seconds": round(encode_cpu, 3),
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
            "id": q.id,
            "split": q.split,
            "question": q.question,
            "gold": q.answer,
            "doc_id": q.doc_id,
            "start": q.start,
            "end": q.end,
            "answer": r.answer,
            "abstained": r.abstained,
            "evidence_rank": hit_rank(r.evidence, q),
            "quote_rank": hit_rank(r.quotes or [], q),
            "cited": [[s.doc_id, s.start, s.end] for s in r.evidence[:3]],
            "latency_ms": round(r.latency_ms, 2),
            "floor_ms": round(r.floor_ms or 0.0, 2),
            "cpu_ms": round(r.extra["cpu_ms"], 2),
            "timings": r.extra.get("timings"),
        } | {f"{name}_rank": hit_rank(results[i].evidence, q) for name, results in baselines.items()}
        if "error" in r.extra:
            row["error"] = r.extra["error"]
        yield row


@dataclass
class Measured:
    """Everything one run measured, before it is summed up."""

    timing: IndexTiming
    system: list[QuestionResult]
    baselines: dict[str, list[QuestionResult]]
    peak_rss_mb: float
    answerer: str
    langchain: LangChainChroma | None  # None: not built (``eval --models`` leaves it out)
    extras: Extras


def _selected(
    dataset: Path, limit: int | None, split: str | None, english: bool = False, with_english: bool = False
) -> tuple[EvalSet, list[EvalQuestion] | None]:
    """The first ``limit`` articles, with ``split``'s questions or (``english``) the English test
    ones; and, with ``with_english``, the English test questions to ask besides (one load)."""
    evalset = load_squad(dataset, limit)
    also_english = english_questions(evalset, partial=limit is not None) if with_english else None
    if english:
        evalset.questions = english_questions(evalset, partial=limit is not None)
    elif split is not None:  # every article is still indexed; only this split's questions are asked
        evalset.questions = [q for q in evalset.questions if q.split == split]
    if not evalset.questions:
        raise ConvqaError("no_usable_question", dataset=dataset)
    return evalset, also_english


def _measure(
    assistant: Assistant,
    evalset: EvalSet,
    k: int,
    root: Path,
    held_out_articles: bool,
    variants: list[str] | None,
    near_miss: bool = False,
    english: list[EvalQuestion] | None = None,
    langchain_baseline: bool = True,
) -> Measured:
    """Index, ask every question (system and baselines), then the test split's extra measures."""
    settings = assistant.settings
    timing = measure_index(assistant)
    system, baselines = ask_all(assistant, evalset.questions, k)
    answerer = getattr(assistant.pipeline.answerer, "description", settings.answerer)
    peak = peak_rss_mb()  # before the LangChain baseline adds its own collection
    test = [r for r in system if r.question.split == "test"]
    extras = measure_extras(assistant, evalset, test, k, held_out_articles, near_miss, variants, english)
    langchain = None
    if langchain_baseline:
        print("building the LangChain tutorial baseline", file=sys.stderr)
        langchain = LangChainChroma(assistant.embedder, root / "langchain-chroma")
        langchain.build(load_corpus(settings.corpus_dir, settings.max_article_bytes)[0])
        baselines["langchain_chroma"] = ask_langchain(langchain, evalset.questions, k)
    return Measured(timing, system, baselines, peak, answerer, langchain, extras)


def _metrics(run: Measured) -> dict:
    """The metrics of the system, its splits and its baselines (without the config)."""
    timing = run.timing
    metrics: dict = _summaries(run.system) | index_metrics(
        timing.index_s, timing.chunks, timing.encode_s, run.peak_rss_mb
    )
    metrics["splits"] = _by_split(run.system)
    metrics["cpu_time"] = _cpu_summary(run.system, timing.index_cpu, timing.encode_cpu)
    extras = run.extras
    if extras.held_out is not None:
        metrics["held_out_articles"] = extras.held_out | {"split": "test"}
    if extras.near_miss is not None:
        metrics["near_miss"] = extras.near_miss | {"split": "test"}
    if extras.short_curve is not None:
        metrics["short_curve"] = extras.short_curve
    if extras.compared is not None:
        metrics["variants"] = extras.compared
    if extras.english is not None:
        metrics["english"] = summarize(extras.english) | {"split": "test"}
    metrics["baselines"] = {}
    for name, results in run.baselines.items():
        entry = _summaries(results) | {key: None for key in INDEX_KEYS} | {"splits": _by_split(results)}
        if name == "langchain_chroma":
            langchain = run.langchain
            entry |= index_metrics(langchain.index_seconds, langchain.chunks, None, None) | {"chunks": langchain.chunks}
        metrics["baselines"][name] = entry
    return metrics


def _config(
    run: Measured, evalset: EvalSet, settings: Settings, dataset: Path, *, limit: int | None, split: str | None, k: int
) -> dict:
    """What was measured, how, and on which code and machine."""
    return {
        "dataset": str(dataset),
        "limit": limit,
        "split": split,
        "k": k,
        "n_questions": len(evalset.questions),
        "n_articles": len(evalset.articles),
        "split_questions": {s: sum(q.split == s for q in evalset.questions) for s in SPLITS},
        "split_articles": {s: sum(a.split == s for a in evalset.articles) for s in SPLITS},
        "chunks": run.timing.chunks,
        "settings": {
            key: (str(v) if isinstance(v, Path) else v) for key in CONFIG_SETTINGS for v in [getattr(settings, key)]
        }
        | {"chunk_max_words": chunk_max_words(settings)},
        "answerer": run.answerer,
        "answers_repaired": evalset.repaired,
        "questions_dropped": evalset.dropped,
        "questions_refused": [r.question.id for r in run.system if "error" in r.extra],
        "warmup_questions": min(WARMUP_QUESTIONS, len(evalset.questions)),
        "floor": f"encode_queries + store.search(k={k})",
        "langchain_chroma": None
        if run.langchain is None
        else {
            "chunk_size": TUTORIAL_CHUNK_SIZE,
            "chunk_overlap": TUTORIAL_CHUNK_OVERLAP,
            "add_start_index": True,
            "misplaced_chunks": run.langchain.misplaced,
        },
    }


def run_eval(
    dataset: Path,
    out_dir: Path,
    *,
    settings: Settings,
    limit: int | None = None,
    k: int = 10,
    held_out_articles: bool = False,
    variants: list[str] | None = None,
    split: str | None = None,
    english: bool = False,
    near_miss: bool = False,
    with_english: bool = False,
    langchain_baseline: bool = True,
    keep_index: Path | None = None,
) -> dict:
    """Evaluate convqa and the baselines on a SQuAD-format dataset; write the reports into
    ``out_dir`` and return the metrics (the metrics.json content).

    ``settings`` is the caller's configuration (the CLI's); the run uses it on a fresh
    embedded store in a temporary folder, or in ``keep_index/<model>`` (kept: the next run
    there only syncs, and leaves the LangChain baseline out). ``with_english`` also asks the
    English test questions on the same index; ``langchain_baseline=False`` leaves that
    baseline out (its second index build is the longest part of a run with a large model).
    """
    started = time.perf_counter()
    version = code_version()  # before the long run: others may commit meanwhile
    evalset, also_english = _selected(dataset, limit, split, english, with_english)
    with workspace(settings.model, keep_index) as root:
        langchain_baseline = langchain_baseline and keep_index is None
        write_corpus(evalset, root / "corpus")
        share_models(settings.data_dir, root / "data")
        settings = eval_settings(settings, root / "corpus", root / "data", k)
        verify_corpus(evalset, settings.corpus_dir, settings.max_article_bytes)
        print(
            f"loading the model; {len(evalset.articles)} articles, {len(evalset.questions)} questions", file=sys.stderr
        )
        assistant = Assistant(settings)
        run = _measure(
            assistant, evalset, k, root, held_out_articles, variants, near_miss, also_english, langchain_baseline
        )
        # What a user's disk holds: the stores of this corpus, and the model's folder.
        store_mb = folder_mb(root / "data", skip=("models",))
        model_mb = folder_mb(Path(assistant.embedder.path))
    metrics = _metrics(run) | {"store_mb": store_mb, "model_mb": model_mb}
    metrics["config"] = _config(run, evalset, settings, dataset, limit=limit, split=split, k=k) | {
        "code": version,
        "english": english,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "index_kept_in": str(root) if keep_index else None,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "questions.jsonl").open("w", encoding="utf-8") as handle:
        for row in _question_rows(run.system, run.baselines):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    write_reports(metrics, out_dir)
    return metrics
