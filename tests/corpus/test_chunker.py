"""Chunks are whole sentences whose offsets are exact, French boundaries respected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convqa.corpus.chunker import chunk_text
from convqa.corpus.sentences import sentence_spans

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def test_french_abbreviations_and_quotes_do_not_end_sentences():
    text = (
        "M. Le Hoai Trung, ministre des Affaires étrangères, était présent. "
        "Mme Ghada Waly a parlé de l'ONUDC. "
        "« Pour que le Vietnam ait le prestige qu'il a aujourd'hui, il ne peut pas se passer de l'aide. Jamais », "
        "a souligné le Secrétaire général. Etc. et la suite."
    )
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences[0] == "M. Le Hoai Trung, ministre des Affaires étrangères, était présent."
    assert sentences[1] == "Mme Ghada Waly a parlé de l'ONUDC."
    assert sentences[2].startswith("« Pour que") and sentences[2].endswith("a souligné le Secrétaire général.")


def test_chunks_of_the_seed_article_are_exact_whole_sentences(seed_text):
    chunks = chunk_text(seed_text, "seed", max_words=90, min_words=35)
    ends = {e for s, e in sentence_spans(seed_text)}
    starts = {s for s, e in sentence_spans(seed_text)}
    covered = set()
    for chunk in chunks:
        assert seed_text[chunk.start : chunk.end] == chunk.text
        assert chunk.start in starts and chunk.end in ends  # never cuts a sentence
        assert chunk.words <= 90 or len(chunk.sentences) == 1
        covered.update(range(chunk.start, chunk.end))
    # Every non-space character of the article is in some chunk.
    assert all(i in covered for i, ch in enumerate(seed_text) if not ch.isspace())


def test_long_paragraph_chunks_overlap_by_one_sentence():
    paragraph = " ".join(
        f"La phrase numéro {i} parle de la coopération régionale en Asie du Sud-Est." for i in range(30)
    )
    chunks = chunk_text(paragraph, max_words=60, min_words=20)
    assert len(chunks) > 2
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end  # the last sentence of one chunk opens the next
        assert b.sentences[0] == a.sentences[-1]


_alphabet = st.sampled_from(
    list("abcdeéèàçô ABCÉ.,;:!?«»'’-\n0123456789") + ["M. ", "Mme ", "etc. ", " » ", "\n\n", "  "]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_alphabet, max_size=400).map("".join), st.integers(20, 120), st.integers(0, 60))
def test_every_chunk_is_the_slice_it_claims(text, max_words, min_words):
    chunks = chunk_text(text, "doc", max_words=max_words, min_words=min_words)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        for s, e in chunk.sentences:
            assert chunk.start <= s < e <= chunk.end
    # Chunks come in article order.
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
