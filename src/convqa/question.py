"""From what a user typed (and the conversation so far) to a Query.

The question is validated (a one-line error for empty, over-long or wordless input), its
language detected, and when it leans on the previous turn (a pronoun, "et …", very
short) the previous question becomes its context and the conversation's earlier quotes
are carried along by position.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from convqa.conversation import Turn
from convqa.corpus.language import detect_language
from convqa.errors import BadQuestionError
from convqa.retrieval.types import Query

_FOLLOW_UP = re.compile(
    r"\b(il|elle|ils|elles|lui|leur|leurs|celui|celle|ceux|celles|là|he|she|it|they|them|his|her|hers|their|its|this|that|there)\b"
    r"|^\s*(et|and|what about|quid)\b",
    re.IGNORECASE,
)
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


def validate_question(question: object, max_chars: int = 2000) -> str:
    """The question, cleaned; BadQuestionError with a one-line reason when unusable."""
    if not isinstance(question, str):
        raise BadQuestionError("question_not_text")
    # Terminal escape sequences, control and format characters carry no meaning for
    # retrieval and break display.
    cleaned = _ANSI.sub(" ", question)
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if len(question) > max_chars:
        raise BadQuestionError("question_too_long", chars=len(question), limit=max_chars)
    if not cleaned:
        raise BadQuestionError("question_empty")
    if not any(ch.isalnum() for ch in cleaned):
        raise BadQuestionError("question_no_words")
    return cleaned


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous turn (a pronoun, 'et …', or very short)."""
    return bool(_FOLLOW_UP.search(question)) or len(question.split()) <= 3


def make_query(
    question: object, history: Sequence[Turn], max_chars: int = 2000, exclude: frozenset[str] = frozenset()
) -> Query:
    """The Query for a question asked after ``history`` (Turns, oldest first);
    ``exclude``: article ids to leave out, as if they were not indexed."""
    text = validate_question(question, max_chars)
    language = detect_language(text)
    if not (history and is_follow_up(text)):
        return Query(text=text, language=language, exclude=exclude)
    return Query(
        text=text,
        language=language,
        exclude=exclude,
        context=history[-1].question[:max_chars],
        said=tuple(t.quoted for t in history if t.quoted is not None),
        said_texts=tuple(t.answer_text for t in history if t.quoted is None and t.answer_text),
    )
