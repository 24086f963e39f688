"""From what a user typed (and the conversation so far) to a Query.

The question is validated (a one-line error for empty, over-long or wordless input) and
its language detected. A follow-up is first read as a question of its own: only when it
cannot be read alone (convqa.analysis.question: a pronoun without antecedent, an ellipsis
such as « Et en 2024 ? », no content word) does the previous question become its context
and the conversation's earlier quotes come along by position. A question that names its
own subject after a conversation about something else is asked afresh, so nothing of the
earlier topic is retrieved or cited for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from convqa.analysis.question import analyse_question
from convqa.conversation import Turn
from convqa.corpus.language import detect_language
from convqa.errors import BadQuestionError
from convqa.retrieval.types import Query

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


def is_follow_up(question: str, language: str = "fr") -> bool:
    """A question that cannot be read without the previous turn (see the module docstring)."""
    return analyse_question(question, language).needs_context


def make_query(
    question: object,
    history: Sequence[Turn],
    max_chars: int = 2000,
    exclude: frozenset[str] = frozenset(),
    *,
    with_context: bool | None = None,
) -> Query:
    """The Query for a question asked after ``history`` (Turns, oldest first);
    ``exclude``: article ids to leave out, as if they were not indexed; ``with_context``:
    whether the history contributes (None: when the question needs it)."""
    text = validate_question(question, max_chars)
    language = detect_language(text)
    follows = is_follow_up(text, language) if with_context is None else with_context
    # Where earlier answers quoted from: a question read alone uses them only so that what
    # the conversation already said is not cited again as support (convqa.answer.compose).
    said = tuple(t.quoted for t in history if t.quoted is not None)
    said_texts = tuple(t.answer_text for t in history if t.quoted is None and t.answer_text)
    if not (history and follows):
        return Query(text=text, language=language, exclude=exclude, said=said, said_texts=said_texts)
    return Query(
        text=text,
        language=language,
        exclude=exclude,
        context=history[-1].question[:max_chars],
        said=said,
        said_texts=said_texts,
    )
