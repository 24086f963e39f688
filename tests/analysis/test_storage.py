"""The stored form of an analysis: compact JSON that reads back to the same data."""

from __future__ import annotations

import pytest

from convqa.analysis.storage import AnalysisCache, decode, encode
from convqa.analysis.types import Mention, PassageAnalysis, Token

pytestmark = pytest.mark.fast

ANALYSIS = PassageAnalysis(
    tokens=(Token(0, 3, "110", "NUM", "nummod", 1), Token(4, 8, "pays", "NOUN", "ROOT", 1)),
    mentions=(Mention(0, 8, "NUM", "pays", "nummod"), Mention(0, 3, "NUM", "pays", "nummod")),
    sentences=((0, 8),),
)


def test_encoded_analysis_reads_back_equal_and_stays_small():
    text = encode(ANALYSIS)
    assert decode(text) == ANALYSIS
    assert " " not in text.replace("'", "") and len(text) < 160
    assert decode(encode(PassageAnalysis())) == PassageAnalysis()


def test_cache_returns_what_it_holds_and_drops_the_least_recent():
    cache = AnalysisCache(size=2)
    cache.put({"a": ANALYSIS, "b": PassageAnalysis()})
    assert cache.get(["a", "x"]) == ({"a": ANALYSIS}, ["x"])
    cache.put({"c": PassageAnalysis()})  # "b" was used least recently
    assert cache.get(["a", "b", "c"])[1] == ["b"]
