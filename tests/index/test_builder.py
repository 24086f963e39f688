"""What an index run makes of an article before anything is embedded: its chunk documents."""

from __future__ import annotations

import json

import pytest

from convqa.corpus.chunker import chunk_article
from convqa.corpus.loader import read_article
from convqa.index.builder import chunk_documents
from convqa.index.changes import chunk_ids
from convqa.settings import BUNDLED_MODEL, Settings
from paths import SEED_CORPUS, SEED_ID

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def test_the_default_chunks_are_e5s_160_words_with_exact_offsets(tmp_path):
    article = read_article(SEED_CORPUS / f"{SEED_ID}.md", root=SEED_CORPUS)
    settings = Settings(model=BUNDLED_MODEL, corpus_dir=SEED_CORPUS, data_dir=tmp_path)
    docs = chunk_documents([article], settings)
    # Unset, the size is the model's: e5's 160 words, so chunk ids (content hashes) stay as they were.
    assert [d.page_content for d in docs] == [c.text for c in chunk_article(article, 160, 30)]
    for doc in docs:
        start, end = doc.metadata["start"], doc.metadata["end"]
        assert article.text[start:end] == doc.page_content
        spans = json.loads(doc.metadata["sentences"])
        assert all(0 <= s < e <= len(doc.page_content) for s, e in spans)
    assert chunk_ids(docs) == chunk_ids(
        chunk_documents([article], settings.model_copy(update={"chunk_max_words": 160}))
    )
    smaller = chunk_documents([article], settings.model_copy(update={"chunk_max_words": 40, "chunk_min_words": 5}))
    assert len(smaller) > len(docs)
