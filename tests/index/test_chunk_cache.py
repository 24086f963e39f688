"""Unchanged article files are recognised by content hash and not parsed or split again."""

from __future__ import annotations

from articles import KAHONE
from convqa.corpus.loader import read_article
from convqa.index.builder import chunk_documents
from convqa.index.changes import chunk_ids
from convqa.index.chunk_cache import cache_path, load_chunked
from convqa.settings import Settings


def load(settings: Settings):
    return load_chunked(settings, lambda article: chunk_documents([article], settings))


def fresh_docs(settings: Settings, name: str):
    """The chunk documents the chunker makes of one file now, with their ids."""
    docs = chunk_documents([read_article(settings.corpus_dir / name, root=settings.corpus_dir)], settings)
    return [(d.page_content, d.metadata, i) for d, i in zip(docs, chunk_ids(docs))]


def as_rows(articles, doc_id: str):
    article = next(a for a in articles if a.doc_id == doc_id)
    return [(d.page_content, d.metadata, d.id) for d in article.docs]


def test_only_new_and_edited_files_are_chunked(tmp_path, corpus_copy):
    settings = Settings(corpus_dir=corpus_copy, data_dir=tmp_path / "data")
    (corpus_copy / "kahone.md").write_text(KAHONE, encoding="utf-8")

    first, warnings, (hits, misses) = load(settings)
    assert (hits, misses) == (0, 2) and not warnings
    assert cache_path(settings).is_file()

    again, _, (hits, misses) = load(settings)
    assert (hits, misses) == (2, 0)
    # What the cache gives back is what chunking the file gives: texts, metadata and ids.
    assert as_rows(again, "kahone") == fresh_docs(settings, "kahone.md") == as_rows(first, "kahone")

    (corpus_copy / "kahone.md").write_text(KAHONE.replace("100 000 foyers", "250 000 foyers"), encoding="utf-8")
    edited, _, (hits, misses) = load(settings)
    assert (hits, misses) == (1, 1)
    rows = as_rows(edited, "kahone")
    assert rows == fresh_docs(settings, "kahone.md") and any("250 000 foyers" in text for text, _, _ in rows)


def test_chunk_settings_and_removed_files_are_not_served_from_the_cache(tmp_path, corpus_copy):
    settings = Settings(corpus_dir=corpus_copy, data_dir=tmp_path / "data")
    (corpus_copy / "kahone.md").write_text(KAHONE, encoding="utf-8")
    load(settings)

    smaller = settings.model_copy(update={"chunk_max_words": 40, "chunk_min_words": 5})
    articles, _, (hits, misses) = load(smaller)
    assert (hits, misses) == (0, 2)
    assert as_rows(articles, "kahone") == fresh_docs(smaller, "kahone.md")

    # A removed file is forgotten; put back, it is chunked again (and the other is still known).
    text = (corpus_copy / "kahone.md").read_text(encoding="utf-8")
    (corpus_copy / "kahone.md").unlink()
    articles, _, (hits, misses) = load(smaller)
    assert (hits, misses) == (1, 0) and [a.doc_id for a in articles] != ["kahone"]
    (corpus_copy / "kahone.md").write_text(text, encoding="utf-8")
    _, _, (hits, misses) = load(smaller)
    assert (hits, misses) == (1, 1)


def test_unreadable_files_still_warn_and_are_not_cached(tmp_path, corpus_copy):
    settings = Settings(corpus_dir=corpus_copy, data_dir=tmp_path / "data")
    (corpus_copy / "empty.md").write_text("", encoding="utf-8")
    for _ in range(2):
        articles, warnings, (hits, misses) = load(settings)
        assert any("empty.md" in w and "empty file" in w for w in warnings)
        assert len(articles) == 1
