"""Conversation state as data: each earlier turn is a question and the Answer it got.

A follow-up question ("Qu'a-t-elle promis ?") needs to know what came before: the
previous question (to search with it), and where the previous answer was quoted from (its
first citation's offsets), so that the passages around it are considered and the same
sentence is not given twice. Those come from the structured ``Answer``, never from
searching its text again, so they hold when a chat model phrased the previous answer.

``normalize_history`` is the one place that accepts the shapes callers send: ``Turn``s,
``Answer``s, JSON dictionaries (``{"question", "answer": {...}}`` or an Answer's
``to_dict()``), ``[question, answer_text]`` pairs and plain question strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from convqa.answer.types import Answer


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: the question, and the Answer when it is known."""

    question: str
    answer: Answer | None = None

    @property
    def quoted(self) -> tuple[str, int, int] | None:
        """(article id, start, end) of the sentence the answer quoted first, if any."""
        if self.answer is None or self.answer.abstained or not self.answer.citations:
            return None
        first = self.answer.citations[0]
        return first.doc_id, first.quote_start, first.quote_end

    @property
    def answer_text(self) -> str:
        """The answer as the user read it ("" when unknown)."""
        return self.answer.answer if self.answer is not None else ""

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"question": str, "answer": Answer.to_dict() | None}``."""
        return {"question": self.question, "answer": self.answer.to_dict() if self.answer else None}


def _answer_of(question: str, value: Any) -> Answer | None:
    if isinstance(value, Answer):
        return value
    if isinstance(value, dict):
        return Answer.from_dict({"question": question} | value)
    if isinstance(value, str) and value.strip():
        # Only the text is known (older clients): no citation, so no position.
        return Answer(question=question, answer=value, abstained=False)
    return None


def as_turn(item: Any) -> Turn | None:
    """One history item in any accepted shape as a Turn (None when it holds no question)."""
    if isinstance(item, Turn):
        return item if item.question.strip() else None
    if isinstance(item, Answer):
        return Turn(item.question, item) if item.question.strip() else None
    if isinstance(item, str):
        return Turn(item.strip()) if item.strip() else None
    if isinstance(item, dict):
        question = str(item.get("question") or "").strip()
        if "citations" in item:  # an Answer's own dictionary
            return Turn(question, Answer.from_dict(item)) if question else None
        return Turn(question, _answer_of(question, item.get("answer"))) if question else None
    if isinstance(item, (list, tuple)) and item:
        question = str(item[0] or "").strip()
        return Turn(question, _answer_of(question, item[1] if len(item) > 1 else None)) if question else None
    return None


def normalize_history(history: Iterable[Any] | None) -> list[Turn]:
    """Earlier turns, oldest first, as Turns; items without a question are dropped."""
    turns = [as_turn(item) for item in history or []]
    return [t for t in turns if t is not None]
