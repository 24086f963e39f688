"""Two measures of the answer step alone, beside the end-to-end run.

- Reading comprehension: the answer step is given only the passage that holds the gold
  answer; the F1 of its best span is the figure that FQuAD-style papers report.
- Held-out articles: each question is asked with its own article left out of retrieval,
  as if it were not indexed; the assistant should abstain on those.
"""

from __future__ import annotations

from collections.abc import Iterable

from convqa.evaluation.dataset import EvalQuestion
from convqa.evaluation.metrics import covers, f1_score
from convqa.retrieval.types import Passage


def gold_passage(assistant, q: EvalQuestion) -> Passage | None:
    """The indexed chunk that covers the gold answer's range."""
    lexical = assistant.lexical
    for row, m in enumerate(lexical.metadatas):
        if covers(m.get("doc_id"), int(m["start"]), int(m["end"]), q):
            return Passage(lexical.ids[row], lexical.texts[row], lexical.metadatas[row], score=1.0)
    return None


def reading_f1(assistant, q: EvalQuestion) -> float | None:
    """F1 of the answer step's best span given the gold passage (None: no spans, or no passage)."""
    passage = gold_passage(assistant, q)
    if passage is None:
        return None
    pipeline = assistant.pipeline
    query = pipeline.query(q.question)
    reading = pipeline.answerer.run(query, pipeline.dense_scores.run(query, [passage]), pipeline.view())
    if not reading.spans:
        return None if not hasattr(pipeline.answerer, "net") else 0.0
    return f1_score(reading.spans[0].text, q.answer)


def held_out_abstention(assistant, questions: Iterable[EvalQuestion], k: int) -> dict:
    """Share of questions abstained on when their own article is left out of retrieval."""
    abstained = total = 0
    for q in questions:
        answer = assistant.pipeline.run(q.question, top_k=k, exclude=frozenset({q.doc_id}))
        abstained += answer.abstained
        total += 1
    return {"n_questions": total, "abstain_rate": round(abstained / total, 4) if total else None}
