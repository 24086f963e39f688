"""Scores of one system on a set of questions, from character offsets and timings.

A citation is evidence for a question when it comes from the gold article and its range
``[start, end)`` covers the whole gold answer range: offsets decide, never a string
search, so the same words found in another passage or article do not count.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from convqa.evaluation.dataset import EvalQuestion

HIT_KS = (1, 3, 5, 10)
QUOTE_KS = (1, 3)
MRR_K = 10

#: Keys of the question-level metrics, in report order.
QUESTION_KEYS = (
    *(f"evidence_hit@{k}" for k in HIT_KS),
    f"mrr@{MRR_K}",
    "passage_words_mean",
    *(f"quote_hit@{k}" for k in QUOTE_KS),
    "answer_contains",
    "answer_words_mean",
    "short_em",
    "short_f1",
    "short_coverage",
    "short_precision",
    "short_em_e2e",
    "short_f1_e2e",
    "reading_f1",
    "reading_f1_sentence",
    "abstain_rate",
    "latency_ms_p50",
    "latency_ms_p95",
    "floor_ms_p50",
    "latency_floor_ratio",
)
#: Keys of the index-level metrics (one value per run, not per split).
INDEX_KEYS = ("index_seconds", "chunks_per_second", "encode_seconds", "index_encode_ratio", "peak_rss_mb")
METRIC_KEYS = QUESTION_KEYS + INDEX_KEYS


@dataclass(frozen=True)
class Span:
    """A range of an article's text: a cited passage or a quote."""

    doc_id: str
    start: int
    end: int
    words: int = 0


@dataclass
class QuestionResult:
    """What one system returned for one question. ``quotes``/``answer`` are None for
    systems that only retrieve; ``floor_ms`` is None where no floor was measured."""

    question: EvalQuestion
    evidence: list[Span]
    latency_ms: float
    quotes: list[Span] | None = None
    answer: str | None = None
    abstained: bool | None = None
    floor_ms: float | None = None
    extra: dict = field(default_factory=dict)
    #: The short answer's text ("" when none was given; None for systems without one).
    short: str | None = None


class Gold(Protocol):
    """Where a gold answer lies: an EvalQuestion, or a GoldRange."""

    doc_id: str
    start: int
    end: int


class GoldRange(NamedTuple):
    """A gold answer's range alone (``doc_id, start, end`` unpacks as a tuple)."""

    doc_id: str
    start: int
    end: int


def covers(doc_id: str, start: int, end: int, gold: Gold) -> bool:
    """True when ``[start, end)`` of article ``doc_id`` contains the whole gold range.

    The one test of evidence, used for citations, quotes, passages and training candidates
    alike: offsets decide, so the same words elsewhere never count.
    """
    return doc_id == gold.doc_id and start <= gold.start and gold.end <= end


def hit_rank(spans: Sequence[Span], question: EvalQuestion) -> int | None:
    """1-based rank of the first span covering the gold range, or None."""
    for rank, span in enumerate(spans, 1):
        if covers(span.doc_id, span.start, span.end, question):
            return rank
    return None


_ELISION = re.compile(r"\b([ldjmnstc]|qu)['’]", re.IGNORECASE)
_ARTICLES = re.compile(r"\b(le|la|les|un|une|des|du|de|a|an|the)\b")
_PUNCTUATION = set(string.punctuation) | set("«»‹›“”„‘’…–—·•")
_MARKER = re.compile(r"\[\d+\]")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation for French and English: lower case, no punctuation, no
    articles (le la les l' un une des du de d' / a an the), single spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _ELISION.sub(lambda m: " " if m.group(1).lower() in ("l", "d") else m.group(0), text)
    text = "".join(" " if ch in _PUNCTUATION else ch for ch in text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def answer_contains(answer: str, gold: str) -> bool:
    """True when the normalized gold answer appears, as whole words, in the answer text
    (citation markers such as ``[1]`` removed first)."""
    said = normalize_answer(_MARKER.sub(" ", answer))
    wanted = normalize_answer(gold)
    if not wanted:  # the gold answer was only an article or punctuation
        return gold.strip().lower() in answer.lower()
    return f" {wanted} " in f" {said} "


def exact_match(prediction: str, gold: str) -> bool:
    """SQuAD exact match: the normalized texts are equal."""
    return normalize_answer(prediction) == normalize_answer(gold)


def f1_score(prediction: str, gold: str) -> float:
    """SQuAD token F1 between a predicted short answer and the gold one (normalized)."""
    predicted, wanted = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not predicted or not wanted:
        return float(predicted == wanted)
    same = sum((Counter(predicted) & Counter(wanted)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(wanted)
    return 2 * precision * recall / (precision + recall)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _short_shares(answering: Sequence[QuestionResult], shorts: Sequence[QuestionResult]) -> dict:
    """How often a short answer is shown (of the answered questions), how often it is right
    where shown (F1 >= 0.5), and EM/F1 end to end (a missing short answer counting 0)."""
    answered = [r for r in answering if not r.abstained]
    shown = [r for r in shorts if r.short]
    if not answering or all(r.short is None for r in answering):
        return {key: None for key in ("short_coverage", "short_precision", "short_em_e2e", "short_f1_e2e")}
    n = len(answering)
    return {
        "short_coverage": round(len(shown) / len(answered), 4) if answered else None,
        "short_precision": round(_mean([float(f1_score(r.short, r.question.answer) >= 0.5) for r in shown]), 4)
        if shown
        else None,
        "short_em_e2e": round(sum(exact_match(r.short, r.question.answer) for r in shown) / n, 4),
        "short_f1_e2e": round(sum(f1_score(r.short, r.question.answer) for r in shown) / n, 4),
    }


def summarize(results: Sequence[QuestionResult]) -> dict:
    """Question-level metrics (QUESTION_KEYS) plus ``n_questions``; None where a metric
    does not apply (a retriever has no quotes) or there are no questions."""
    out: dict = {"n_questions": len(results)}
    if not results:
        return out | {key: None for key in QUESTION_KEYS}
    ranks = [hit_rank(r.evidence, r.question) for r in results]
    for k in HIT_KS:
        out[f"evidence_hit@{k}"] = round(sum(1 for x in ranks if x is not None and x <= k) / len(results), 4)
    out[f"mrr@{MRR_K}"] = round(sum(1 / x for x in ranks if x is not None and x <= MRR_K) / len(results), 4)
    out["passage_words_mean"] = _round(_mean([s.words for r in results for s in r.evidence]), 1)

    answering = [r for r in results if r.answer is not None]
    for k in QUOTE_KS:
        quoted = [r for r in answering if r.quotes is not None]
        out[f"quote_hit@{k}"] = (
            round(
                sum(1 for r in quoted if any(covers(s.doc_id, s.start, s.end, r.question) for s in r.quotes[:k]))
                / len(quoted),
                4,
            )
            if quoted
            else None
        )
    if answering:
        out["answer_contains"] = round(
            sum(answer_contains(r.answer, r.question.answer) for r in answering) / len(answering), 4
        )
        # Length of real answers: the fixed abstention sentence would only blur it.
        answered = [r for r in answering if not r.abstained]
        out["answer_words_mean"] = _round(_mean([len(_MARKER.sub(" ", r.answer).split()) for r in answered]), 1)
        out["abstain_rate"] = round(sum(bool(r.abstained) for r in answering) / len(answering), 4)
    else:
        out |= {"answer_contains": None, "answer_words_mean": None, "abstain_rate": None}
    # End to end: a question without a short answer (abstained, not confident) scores 0.
    shorts = [r for r in answering if r.short is not None]
    out["short_em"] = (
        round(_mean([float(exact_match(r.short, r.question.answer)) for r in shorts]), 4) if shorts else None
    )
    out["short_f1"] = round(_mean([f1_score(r.short, r.question.answer) for r in shorts]), 4) if shorts else None
    out |= _short_shares(answering, shorts)
    for key in ("reading_f1", "reading_f1_sentence"):
        reading = [r.extra[key] for r in results if key in r.extra]
        out[key] = round(_mean(reading), 4) if reading else None

    latencies = [r.latency_ms for r in results]
    floors = [r.floor_ms for r in results if r.floor_ms is not None]
    out["latency_ms_p50"] = _round(percentile(latencies, 50), 2)
    out["latency_ms_p95"] = _round(percentile(latencies, 95), 2)
    out["floor_ms_p50"] = _round(percentile(floors, 50), 2)
    out["latency_floor_ratio"] = _round(_ratio(out["latency_ms_p50"], out["floor_ms_p50"]), 3)
    return out


def index_metrics(
    index_seconds: float | None, chunks: int, encode_seconds: float | None, peak_rss_mb: float | None
) -> dict:
    """Index-level metrics (INDEX_KEYS)."""
    return {
        "index_seconds": _round(index_seconds, 3),
        "chunks_per_second": _round(_ratio(chunks, index_seconds), 1),
        "encode_seconds": _round(encode_seconds, 3),
        "index_encode_ratio": _round(_ratio(index_seconds, encode_seconds), 3),
        "peak_rss_mb": _round(peak_rss_mb, 1),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux
