"""Incremental indexing through the record manager, on the real model and real Chroma."""

from __future__ import annotations

from pathlib import Path

from convqa.assistant import Assistant
from convqa.corpus.chunker import chunk_article
from convqa.corpus.loader import read_article

NEW_ARTICLE = """---
title: Le Sénégal inaugure une centrale solaire à Kahone
source: https://example.org/kahone
date: 2025-11-02
lang: fr
---
Le président sénégalais a inauguré samedi une centrale solaire de 45 mégawatts à Kahone, près de Kaolack.

La centrale alimentera environ 100 000 foyers et réduira les importations de fioul du pays.
"""


def chunk_count(path: Path) -> int:
    return len(chunk_article(read_article(path, root=path.parent)))


def test_add_edit_delete_and_unchanged_runs(make_settings, corpus_copy, embedder):
    assistant = Assistant(make_settings(corpus_copy), embedder=embedder)
    first = assistant.index()
    seed_chunks = first.chunks
    assert first.documents == 1 and first.added == seed_chunks > 5

    # An unchanged corpus embeds nothing.
    again = assistant.index()
    assert (again.added, again.updated, again.deleted, again.skipped) == (0, 0, 0, seed_chunks)

    # A new article: only its chunks are embedded, and it answers.
    new = corpus_copy / "kahone.md"
    new.write_text(NEW_ARTICLE, encoding="utf-8")
    added = assistant.index()
    new_chunks = chunk_count(new)
    assert added.added == new_chunks and added.skipped == seed_chunks and added.deleted == 0
    answer = assistant.ask("Quelle est la puissance de la centrale solaire de Kahone ?")
    assert "45 mégawatts" in answer.answer and answer.citations[0].doc_id == "kahone"

    # Editing it replaces its chunks and nothing else.
    new.write_text(NEW_ARTICLE.replace("100 000 foyers", "250 000 foyers"), encoding="utf-8")
    edited = assistant.index()
    assert (
        edited.added >= 1
        and edited.deleted == edited.added
        and edited.skipped == seed_chunks + new_chunks - edited.added
    )
    answer = assistant.ask("Combien de foyers la centrale de Kahone alimentera-t-elle ?")
    assert "250 000 foyers" in answer.answer

    # Deleting it removes its chunks from both indexes.
    new.unlink()
    removed = assistant.index()
    assert removed.deleted == new_chunks and removed.added == 0
    assert assistant.store.count() == seed_chunks == len(assistant.lexical)
    assert all(m["doc_id"] != "kahone" for m in assistant.lexical.metadatas)
    status = assistant.status()
    assert status["consistent"] and status["chunks"] == status["records"] == seed_chunks


def test_full_rebuild_re_embeds_everything(make_settings, corpus_copy, embedder):
    assistant = Assistant(make_settings(corpus_copy), embedder=embedder)
    n = assistant.index().chunks
    full = assistant.index(full=True)
    assert full.updated + full.added == n and full.deleted == 0
    assert assistant.store.count() == n


def test_changing_the_model_re_embeds_with_a_message(make_settings, corpus_copy, embedder, model_dir):
    from convqa.model.embedder import Embedder
    from convqa.model.spec import spec_for

    settings = make_settings(corpus_copy)
    Assistant(settings, embedder=embedder).index()
    # The same weights under another name stand in for "another model": what matters is the recorded name.
    other = Embedder(spec_for(str(model_dir / "models" / "multilingual-e5-small")), model_dir)
    report = Assistant(settings, embedder=other).index()
    assert "embedding model changed" in report.message
    assert report.added == report.chunks and report.skipped == 0
