"""Reciprocal-rank fusion over the retrievers' Passage lists (pure, no model)."""

from __future__ import annotations

import json

import pytest

from convqa.retrieval.fusion import RRFFusion, rrf
from convqa.retrieval.types import Passage

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def passage(chunk_id: str, doc: str = "a", start: int = 0, end: int = 100, **signals: float) -> Passage:
    meta = {"doc_id": doc, "start": start, "end": end, "sentences": json.dumps([[0, end - start]])}
    return Passage(chunk_id, "x" * (end - start), meta, signals=dict(signals))


def test_rrf_sums_reciprocal_ranks_with_weights():
    fused = rrf([["a", "b"], ["b", "c"]], k=60, weights=[1.0, 2.0])
    assert fused["a"] == 1 / 61
    assert fused["b"] == 1 / 62 + 2 / 61
    assert fused["c"] == 2 / 62


def test_a_passage_found_by_both_retrievers_ranks_first_and_keeps_both_signals():
    dense = [passage("d1", start=0, end=100, dense=0.9), passage("both", start=1000, end=1100, dense=0.8)]
    lexical = [passage("both", start=1000, end=1100, lexical=7.0), passage("l1", start=2000, end=2100, lexical=5.0)]
    fused = RRFFusion(k=60, limit=10).run([dense, lexical])
    assert [p.chunk_id for p in fused][0] == "both"
    assert fused[0].signals["dense"] == 0.8 and fused[0].signals["lexical"] == 7.0
    assert fused[0].score == fused[0].signals["fused"] == 1 / 62 + 1 / 61
    assert {p.chunk_id for p in fused} == {"d1", "both", "l1"}


def test_overlapping_chunks_of_one_article_count_once_but_other_articles_do_not_clash():
    ranking = [passage("a1", "a", 0, 100), passage("a2", "a", 20, 120), passage("b1", "b", 0, 100)]
    fused = RRFFusion(max_overlap=0.6).run([ranking])
    assert [p.chunk_id for p in fused] == ["a1", "b1"]


def test_limit_is_a_maximum():
    ranking = [passage(f"c{i}", start=i * 200, end=i * 200 + 100) for i in range(12)]
    assert len(RRFFusion(limit=5).run([ranking])) == 5
    assert len(RRFFusion(limit=5).run([ranking], limit=3)) == 3
    assert RRFFusion().run([[], []]) == []


def test_weights_given_to_run_override_the_steps_own():
    # An English question's lexical list (weight 0.1): BM25's first, which the vectors do not
    # hold, falls from 3rd to last, behind the vectors' second.
    dense = [passage("d1", start=0), passage("dense-only", start=1000, end=1100), passage("both", start=2000, end=2100)]
    lexical = [passage("lex-only", start=3000, end=3100), passage("both", start=2000, end=2100)]
    fusion = RRFFusion(k=60)
    assert [p.chunk_id for p in fusion.run([dense, lexical])] == ["both", "d1", "lex-only", "dense-only"]
    crossed = fusion.run([dense, lexical], weights=[1.0, 0.1])
    assert [p.chunk_id for p in crossed] == ["both", "d1", "dense-only", "lex-only"]
    assert crossed[0].score == pytest.approx(1 / 63 + 0.1 / 62) and crossed[3].score == pytest.approx(0.1 / 61)
