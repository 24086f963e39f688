"""Features of a candidate short answer: a typed mention inside a candidate sentence.

The candidates are the mentions the index-time analysis stored (entities, numbers with what
they count, dates, noun chunks, dependency subtrees). A span answers when it is of the kind
the question asks for (question type × mention kind), when its head is the question's focus
noun (« combien de visiteurs » → a NUM counting "visiteur"), when the question's words
stand near it, and when it does not merely repeat the question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from convqa.analysis.types import MENTION_KINDS, Mention, QuestionAnalysis
from convqa.answer.features import WH, code
from convqa.index.analyzer import analyze

DEPS = (
    "nsubj",
    "nsubj:pass",
    "obj",
    "iobj",
    "obl",
    "obl:mod",
    "obl:arg",
    "obl:agent",
    "nmod",
    "appos",
    "root",
    "conj",
    "amod",
    "nummod",
    "flat:name",
    "acl",
    "acl:relcl",
    "xcomp",
    "ccomp",
    "advmod",
    "det",
    "",
)
_WORD = re.compile(r"\w+(?:['’]\w+)*")
#: Words either side of a span in which the question's words count as near.
WINDOW = 6

SPAN_FEATURES = (
    "wh",
    "kind",
    "wh_kind",
    "expected",
    "focus_head",
    "overlap",
    "inside_question",
    "distance",
    "near_terms",
    "dep",
    "position",
    "words",
    "chars",
    "digits",
    "capital",
    "sentence_rank",
    "sentence_score",
    "sentence_gap",
    "mentions",
    "left_of_verb",
)


def _words(sentence: str) -> list[tuple[int, int, set[str]]]:
    return [(m.start(), m.end(), set(analyze(m.group()))) for m in _WORD.finditer(sentence)]


def span_rows(
    question: QuestionAnalysis,
    question_text: str,
    sentence: str,
    spans: Sequence[Mention],
    sentence_rank: int,
    sentence_score: float,
    best_score: float,
) -> list[list[float]]:
    """One row (SPAN_FEATURES, in order) per candidate span; offsets relative to ``sentence``."""
    q_terms = set(analyze(question_text))
    words = _words(sentence)
    at_term = [i for i, (_, _, stems) in enumerate(words) if stems & q_terms]
    rows = []
    for m in spans:
        inside = [i for i, (a, b, _) in enumerate(words) if a >= m.start and b <= m.end]
        lo, hi = (inside[0], inside[-1]) if inside else (0, 0)
        stems = set(analyze(sentence[m.start : m.end]))
        outside = [i for i in at_term if i < lo or i > hi]
        distance = min((lo - i if i < lo else i - hi) for i in outside) if outside else math.nan
        kind = code(m.kind, MENTION_KINDS)
        text = sentence[m.start : m.end]
        rows.append(
            [
                code(question.wh, WH),
                kind,
                code(question.wh, WH) * (len(MENTION_KINDS) + 1) + kind,
                float(bool(question.expects) and m.kind == question.expects),
                float(bool(question.focus) and m.head_lemma == question.focus),
                len(stems & q_terms) / len(stems) if stems else 0.0,
                float(bool(stems) and stems <= q_terms),
                float(distance),
                float(sum(1 for i in outside if lo - WINDOW <= i <= hi + WINDOW)),
                code(m.dep, DEPS),
                m.start / max(1, len(sentence)),
                float(len(text.split())),
                float(len(text)),
                float(any(ch.isdigit() for ch in text)),
                float(text[:1].isupper()),
                float(sentence_rank),
                sentence_score,
                best_score - sentence_score,
                float(len(spans)),
                float(bool(at_term) and lo < at_term[0]),
            ]
        )
    return rows
