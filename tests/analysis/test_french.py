"""The index-time parser on hand-built French sentences, with the real spaCy pipeline.

The pipeline loads once for the module (15–20 s): these tests are not ``fast``.
"""

from __future__ import annotations

import pytest

from convqa.analysis.french import parse_passages
from convqa.analysis.types import MENTION_KINDS

TEXTS = [
    "Le Sommet a réuni 110 pays. Le prolongement du tramway a coûté 41 millions d'euros.",
    "La fête aura lieu le 25 octobre 2025 à Lannilis, en Bretagne. Elle existe depuis 1998.",
    "Maria José Pinto Gonzalez Artigas a parlé au nom des chefs de délégation.",
    "Le taux de chômage est tombé à 7,5 % en 2024, selon l'Insee.",
    "Le XIXe siècle vit naître la ville ; en mai, environ deux mille visiteurs sont venus.",
]


@pytest.fixture(scope="module")
def parsed():
    return parse_passages(TEXTS)


def mentions(parsed, n: int, kind: str) -> dict[str, str]:
    """Mention text → head_lemma, for one kind in text ``n``."""
    text = TEXTS[n]
    return {text[m.start : m.end]: m.head_lemma for m in parsed[n].mentions if m.kind == kind}


def test_numbers_carry_the_noun_they_count(parsed):
    nums = mentions(parsed, 0, "NUM")
    assert nums["110 pays"] == "pays"
    assert nums["110"] == "pays"
    assert nums["41 millions d'euros"] == "euro"


def test_percentages_are_numbers_of_percent(parsed):
    nums = mentions(parsed, 3, "NUM")
    assert nums["7,5 %"] == "pourcent"
    assert "7,5" in nums


def test_dates_from_patterns(parsed):
    dates = set(mentions(parsed, 1, "DATE"))
    assert {"25 octobre 2025", "1998", "depuis 1998"} <= dates
    assert {"2024", "en 2024"} <= set(mentions(parsed, 3, "DATE"))
    assert {"XIXe siècle", "mai", "en mai"} <= set(mentions(parsed, 4, "DATE"))


def test_a_year_is_a_date_not_a_number(parsed):
    assert "2024" not in mentions(parsed, 3, "NUM")
    assert "1998" not in mentions(parsed, 1, "NUM")


def test_number_words_and_approximations(parsed):
    nums = mentions(parsed, 4, "NUM")
    assert nums["deux mille visiteurs"] == "visiteur"
    assert "environ deux mille visiteurs" in nums


def test_entities_keep_spacy_labels(parsed):
    # spaCy's NER may stop short of the last name; the span is still a person's.
    assert any(span.startswith("Maria José") for span in mentions(parsed, 2, "PER"))
    assert "Lannilis" in mentions(parsed, 1, "LOC")


def test_subtrees_cover_what_no_chunk_does(parsed):
    text = TEXTS[2]
    spans = {text[m.start : m.end] for m in parsed[2].mentions}
    assert "nom des chefs de délégation" in spans or "chefs de délégation" in spans
    subtrees = [(m.start, m.end) for m in parsed[2].mentions if m.kind == "SUBTREE"]
    others = {(m.start, m.end) for m in parsed[2].mentions if m.kind != "SUBTREE"}
    assert subtrees and not set(subtrees) & others


def test_offsets_tokens_and_sentences_are_relative_to_each_text(parsed):
    for text, analysis in zip(TEXTS, parsed, strict=True):
        assert all(m.kind in MENTION_KINDS and 0 <= m.start < m.end <= len(text) for m in analysis.mentions)
        assert all(text[t.start : t.end].strip() == text[t.start : t.end] for t in analysis.tokens)
        assert all(0 <= t.head < len(analysis.tokens) for t in analysis.tokens)
        assert analysis.sentences[0][0] == 0 and analysis.sentences[-1][1] <= len(text)
    assert len(parsed[0].sentences) == 2
    tokens = parsed[0].tokens
    pays = next(t for t in tokens if t.lemma == "pays")
    assert tokens[pays.head].lemma == "réunir" and pays.dep == "obj"
    assert next(t for t in tokens if TEXTS[0][t.start : t.end] == "110").pos == "NUM"


def test_empty_and_odd_texts_parse(parsed):
    empty, spaces, symbols = parse_passages(["", "   \n  ", "—·— 42 !!"])
    assert empty.tokens == () and empty.mentions == ()
    assert spaces.tokens == ()
    assert any(m.kind == "NUM" for m in symbols.mentions)
