"""Two measures of the answer step alone, beside the end-to-end run.

- Reading comprehension: the answer step is given only the passage that holds the gold
  answer; the F1 of its best span is the figure that FQuAD-style papers report.
  The same given only the gold sentence tells the span ranking from the sentence ranking.
- Held-out articles: each question is asked with its own article left out of retrieval,
  as if it were not indexed; the assistant should abstain on those.
- Near misses: only the question's own paragraph is left out, the rest of its article
  kept: on topic, but the answer is not there; the assistant should abstain on those too.
- The short answer's curve: its coverage and precision over the step's threshold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from convqa.evaluation.dataset import EvalArticle, EvalQuestion, paragraph_range
from convqa.evaluation.metrics import covers, f1_score
from convqa.retrieval.types import Passage

#: Thresholds of the short-answer curve (the learned step's span score is a predicted F1).
CURVE = tuple(round(0.05 * i, 2) for i in range(20))


def gold_passage(assistant, q: EvalQuestion) -> Passage | None:
    """The indexed chunk that covers the gold answer's range."""
    lexical = assistant.lexical
    for row, m in enumerate(lexical.metadatas):
        if covers(m.get("doc_id"), int(m["start"]), int(m["end"]), q):
            return Passage(lexical.ids[row], lexical.texts[row], lexical.metadatas[row], score=1.0)
    return None


def gold_sentence(passage: Passage, q: EvalQuestion) -> Passage | None:
    """The gold passage with only the sentence holding the gold answer as a candidate
    (same chunk, text and offsets: its stored analysis still applies)."""
    for s, e in passage.sentence_spans():
        if covers(passage.doc_id, passage.start + s, passage.start + e, q):
            metadata = dict(passage.metadata, sentences=json.dumps([[s, e]]))
            return Passage(passage.chunk_id, passage.text, metadata, score=1.0)
    return None


def reading_f1(assistant, q: EvalQuestion, sentence: bool = False) -> float | None:
    """F1 of the answer step's best span given the gold passage, or only its gold sentence
    (None: no spans, or no passage)."""
    passage = gold_passage(assistant, q)
    if passage is not None and sentence:
        passage = gold_sentence(passage, q)
    if passage is None:
        return None
    pipeline = assistant.pipeline
    query = pipeline.query(q.question)
    reading = pipeline.answerer.run(query, pipeline.dense_scores.run(query, [passage]), pipeline.view())
    if not reading.spans:
        return None if not hasattr(pipeline.answerer, "net") and not hasattr(pipeline.answerer, "models") else 0.0
    return f1_score(reading.spans[0].text, q.answer)


def held_out_abstention(assistant, questions: Iterable[EvalQuestion], k: int) -> dict:
    """Share of questions abstained on when their own article is left out of retrieval."""
    abstained = total = 0
    for q in questions:
        answer = assistant.pipeline.run(q.question, top_k=k, exclude=frozenset({q.doc_id}))
        abstained += answer.abstained
        total += 1
    return {"n_questions": total, "abstain_rate": round(abstained / total, 4) if total else None}


def near_miss_abstention(
    assistant, questions: Iterable[EvalQuestion], articles: Mapping[str, EvalArticle], k: int
) -> dict:
    """Share of questions abstained on when only their own paragraph is left out."""
    abstained = total = 0
    for q in questions:
        article = articles[q.doc_id]
        start, end = paragraph_range(article.text, article.paragraph_starts, q.start)
        answer = assistant.pipeline.run(q.question, top_k=k, exclude_ranges=((q.doc_id, start, end),))
        abstained += answer.abstained
        total += 1
    return {"n_questions": total, "abstain_rate": round(abstained / total, 4) if total else None}


def short_curve(assistant, questions: Iterable[EvalQuestion], k: int) -> list[dict] | None:
    """Coverage (of the answered questions) and precision (F1 >= 0.5) of the best span over
    thresholds on its score; None for a step that gives no spans."""
    pipeline = assistant.pipeline
    answered, scored = 0, []
    for q in questions:
        query = pipeline.query(q.question)
        passages = pipeline.retrieve(query, limit=max(k, 8))
        reading = pipeline.answerer.run(query, passages, pipeline.view())
        if reading.abstain or not reading.sentences:
            continue
        answered += 1
        if reading.spans:
            scored.append((reading.spans[0].score, f1_score(reading.spans[0].text, q.answer)))
    if not scored:
        return None
    out = []
    for t in CURVE:
        shown = [f1 for score, f1 in scored if score >= t]
        precision = round(sum(f1 >= 0.5 for f1 in shown) / len(shown), 4) if shown else None
        out.append({"threshold": t, "coverage": round(len(shown) / max(1, answered), 4), "precision": precision})
    return out
