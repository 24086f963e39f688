"""An index run in articles: what it adds, updates and removes, the order it embeds in,
its progress, and an unchanged corpus recognised without the embedding model."""

from __future__ import annotations

from convqa.assistant import Assistant
from convqa.index.builder import build_index
from convqa.index.catalog import index_status, list_articles
from convqa.model.embedder import LazyEmbedder
from convqa.model.spec import spec_for

TRAM = """---
title: Le tramway d'Aubagne prolongé jusqu'à La Penne
date: 2026-02-03
source: https://example.org/tram
---
Le tramway d'Aubagne sera prolongé de 7 kilomètres jusqu'à La Penne-sur-Huveaune d'ici 2028.

Les travaux du tramway d'Aubagne coûteront 210 millions d'euros, financés par la métropole.
"""


def test_reports_count_articles_and_the_progress_counts_passages_to_embed(make_settings, corpus_copy, embedder):
    settings = make_settings(corpus_copy)
    assistant = Assistant(settings, embedder=embedder)
    first = assistant.index()
    assert (first.articles_added, first.articles_unchanged) == (1, 0)

    (corpus_copy / "tram.md").write_text(TRAM, encoding="utf-8")
    plans, calls = [], []
    report = assistant.index(on_plan=plans.append, progress=lambda done, total: calls.append((done, total)))
    assert (report.articles_added, report.articles_updated, report.articles_deleted, report.articles_unchanged) == (
        1,
        0,
        0,
        1,
    )
    assert list(plans[0].to_do) == ["tram"] and plans[0].to_do["tram"] == report.added
    # Progress counts the passages this run embeds (the new article's), not the whole corpus.
    assert calls[0] == (0, report.added) and calls[-1] == (report.added, report.added)
    assert all(total == report.added for _, total in calls)

    (corpus_copy / "tram.md").write_text(TRAM.replace("210 millions", "230 millions"), encoding="utf-8")
    edited = assistant.index()
    assert (edited.articles_added, edited.articles_updated, edited.articles_unchanged) == (0, 1, 1)

    (corpus_copy / "tram.md").unlink()
    removed = assistant.index()
    assert (removed.articles_deleted, removed.deleted) == (1, edited.chunks - first.chunks)


def test_an_unchanged_corpus_and_a_removal_need_no_model(make_settings, corpus_copy, embedder):
    settings = make_settings(corpus_copy)
    (corpus_copy / "tram.md").write_text(TRAM, encoding="utf-8")
    Assistant(settings, embedder=embedder).index()

    lazy = LazyEmbedder(spec_for(settings), settings.data_dir)
    unchanged = build_index(settings, embedder=lazy)
    assert unchanged.skipped == unchanged.chunks and unchanged.added == 0
    assert lazy._embedder is None, "nothing to embed: the model must not be loaded"

    (corpus_copy / "tram.md").unlink()
    removal = build_index(settings, embedder=lazy)
    assert removal.articles_deleted == 1 and removal.deleted > 0
    assert lazy._embedder is None, "deleting passages embeds nothing"
    status = index_status(settings)
    assert status["consistent"] and status["documents"] == 1
    assert [a.doc_id for a in list_articles(settings)] != [] and all(
        a.doc_id != "tram" for a in list_articles(settings)
    )


def test_an_empty_corpus_warns_with_the_folder_and_the_formats(make_settings, tmp_path, embedder):
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    report = build_index(make_settings(empty), embedder=embedder)
    assert report.documents == 0
    assert any(str(empty) in w and ".txt, .md, .html, .pdf" in w for w in report.warnings), report.warnings
