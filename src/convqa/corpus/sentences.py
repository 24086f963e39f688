"""French-aware sentence boundaries with exact character offsets.

pysbd's French rules handle abbreviations (« M. », « Mme », « etc. ») and quotes; we only
take its segments and locate them in the original text ourselves, so offsets are exact
even when a sentence repeats (pysbd's own spans are found by search and can slip).
"""

from __future__ import annotations

import re
from functools import lru_cache

Span = tuple[int, int]

_PARAGRAPH = re.compile(r"[^\n]+")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="fr", clean=False, char_span=False)


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def paragraph_spans(text: str) -> list[Span]:
    """Non-blank lines of the text: sentences never cross them."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        span = _trim(text, match.start(), match.end())
        if span:
            spans.append(span)
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans (absolute offsets, whitespace trimmed) of text[start:end].

    Every returned span satisfies ``start <= s < e <= end``, spans are sorted and disjoint,
    and together they cover every non-blank character of each paragraph.
    """
    end = len(text) if end is None else end
    spans: list[Span] = []
    for p_start, p_end in paragraph_spans(text[start:end]):
        spans.extend(_split_paragraph(text, start + p_start, start + p_end))
    return spans


def _split_paragraph(text: str, start: int, end: int) -> list[Span]:
    paragraph = text[start:end]
    spans: list[Span] = []
    cursor = 0
    for segment in _segmenter().segment(paragraph):
        piece = segment.strip()
        if not piece:
            continue
        found = paragraph.find(piece, cursor)
        if found < 0:
            # pysbd altered the text: give up splitting the rest rather than guess offsets.
            break
        span = _trim(text, start + found, start + found + len(piece))
        if span:
            spans.append(span)
        cursor = found + len(piece)
    rest = _trim(text, start + cursor, end)
    if rest:
        spans.append(rest)
    return spans
