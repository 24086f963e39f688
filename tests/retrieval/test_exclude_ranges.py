"""Leaving out a range of an article (the near-miss measure): only the chunks overlapping it."""

from __future__ import annotations

import pytest

from convqa.evaluation.dataset import paragraph_range
from convqa.retrieval.types import Passage, Query

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def _passage(doc: str, start: int, end: int) -> Passage:
    return Passage(f"{doc}-{start}", "x" * (end - start), {"doc_id": doc, "start": start, "end": end})


def test_only_chunks_overlapping_the_range_are_left_out():
    query = Query("Combien ?", exclude_ranges=(("fete", 100, 200),))
    assert query.excludes(_passage("fete", 150, 300))
    assert query.excludes(_passage("fete", 0, 101))
    assert not query.excludes(_passage("fete", 0, 100))  # ends where the range starts
    assert not query.excludes(_passage("fete", 200, 260))
    assert not query.excludes(_passage("autre", 120, 180))


def test_excluded_articles_still_count():
    assert Query("Qui ?", exclude=frozenset({"fete"})).excludes(_passage("fete", 0, 10))


def test_the_paragraph_of_an_offset():
    text = "Premier paragraphe.\n\nDeuxième paragraphe ici.\n\nTroisième."
    starts = (0, 21, 47)
    assert paragraph_range(text, starts, 25) == (21, 45)
    assert text[21:45] == "Deuxième paragraphe ici."
    assert paragraph_range(text, starts, 50) == (47, len(text))
