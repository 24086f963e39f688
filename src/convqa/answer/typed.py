"""What the index's French analysis says about a candidate sentence: whether it holds a
mention of the kind the question asks for (a person for « qui », a number for « combien »,
a date for « quand »…) that the question does not hold already.

The passages were parsed with spaCy when they were indexed (``convqa.analysis``), so this
costs a lookup, not a parse. It is the hand-tuned step's answer-type cue: sharper than the
regular expressions of ``answer/candidates.py``, which take any two capitalised words for a
name (« Nations Unies »), and the reason a lead sentence that repeats the question's topic
words loses to the sentence holding the fact. The learned step's features read the same
mentions through the same helpers (``mentions_in``, ``new_to_question``).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from convqa.analysis.types import Mention, PassageAnalysis, QuestionAnalysis
from convqa.index.analyzer import analyze
from convqa.index.view import IndexView
from convqa.retrieval.types import Passage

log = logging.getLogger(__name__)


def mentions_in(analysis: PassageAnalysis | None, passage_start: int, start: int, end: int) -> list[Mention]:
    """The passage's mentions lying inside the article range [start, end)."""
    if analysis is None:
        return []
    a, b = start - passage_start, end - passage_start
    return [m for m in analysis.mentions if a <= m.start and m.end <= b]


def sentence_mentions(analysis: PassageAnalysis | None, passage_start: int, start: int, end: int) -> list[Mention]:
    """The passage's mentions inside the article range [start, end) of one sentence, with
    offsets relative to that sentence (``sentence_text[m.start:m.end]``)."""
    offset = start - passage_start
    return [
        replace(m, start=m.start - offset, end=m.end - offset) for m in mentions_in(analysis, passage_start, start, end)
    ]


def new_to_question(text: str, question_terms: set[str]) -> bool:
    """True when ``text`` (a mention) holds a word the question's terms do not: a name the
    question already gives is not its answer."""
    return not set(analyze(text)) <= question_terms


def stored_analyses(index: IndexView, passages: list[Passage]) -> dict[str, PassageAnalysis]:
    """The stored analysis of each passage's chunk (none when the index keeps none)."""
    read = getattr(index, "analyses", None)
    if read is None:
        return {}
    try:
        return dict(read([p.chunk_id for p in passages]) or {})
    except Exception:  # an index without analyses answers without them, never fails
        log.debug("no stored analyses", exc_info=True)
        return {}


def fresh_mention(
    question: QuestionAnalysis,
    question_terms: set[str],
    passage: Passage,
    analysis: PassageAnalysis,
    start: int,
    end: int,
) -> bool:
    """True when the article range [start, end) of ``passage`` holds a mention of the kind
    ``question`` expects whose words are not all the question's own."""
    if not question.expects:
        return False
    for m in mentions_in(analysis, passage.start, start, end):
        if m.kind == question.expects and new_to_question(passage.text[m.start : m.end], question_terms):
            return True
    return False
