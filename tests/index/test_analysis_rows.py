"""Each chunk's French analysis is parsed once, when the chunk is indexed, and follows the
store by difference with the lexical rows (real model, real Chroma, real spaCy)."""

from __future__ import annotations

import sqlite3

from convqa.assistant import Assistant
from convqa.index.catalog import lexical_path
from convqa.index.lexical_rows import LexicalRows

DA_NANG = """---
title: Inauguration d'un observatoire du cyberespace à Da Nang
date: 2025-11-10
---
La ville de Da Nang a inauguré mardi un observatoire du cyberespace chargé de surveiller les attaques informatiques.

L'observatoire emploie quarante-deux analystes formés avec l'aide de l'Union européenne depuis 2019.
"""


def analysed_docs(settings) -> dict[str, int]:
    """Rows holding an analysis, by article id, read from the file itself."""
    with sqlite3.connect(lexical_path(settings)) as conn:
        got = conn.execute("SELECT doc_id, COUNT(*) FROM rows WHERE analysis IS NOT NULL GROUP BY doc_id")
        return dict(got.fetchall())


def test_indexed_chunks_carry_their_analysis_and_follow_the_store(make_settings, corpus_copy, embedder):
    assistant = Assistant(make_settings(corpus_copy), embedder=embedder)
    assistant.index()
    view = assistant.follower.view()
    ids = list(view.lexical.ids)
    analyses = view.analyses(ids)
    assert set(analyses) == set(ids)
    texts = dict(zip(view.lexical.ids, view.lexical.texts))
    nums = {
        (texts[i][m.start : m.end], m.head_lemma) for i, a in analyses.items() for m in a.mentions if m.kind == "NUM"
    }
    assert ("110 pays", "pays") in nums

    counts: list[tuple[int, int]] = []
    (corpus_copy / "da-nang.md").write_text(DA_NANG, encoding="utf-8")
    assistant.index(progress=lambda done, total: counts.append((done, total)))
    added = analysed_docs(assistant.settings)["da-nang"]
    # Only the new article's chunks were embedded and parsed: no pass over the corpus.
    assert added >= 1 and max(total for _, total in counts) == added
    view = assistant.follower.view()
    new = [i for i, m in zip(view.lexical.ids, view.lexical.metadatas) if m["doc_id"] == "da-nang"]
    dates = {
        view.lexical.texts[view.lexical.ids.index(i)][m.start : m.end]
        for i, a in view.analyses(new).items()
        for m in a.mentions
        if m.kind == "DATE"
    }
    assert "depuis 2019" in dates

    counts.clear()
    assistant.index(progress=lambda done, total: counts.append((done, total)))
    assert all(total == 0 for _, total in counts)  # unchanged: nothing embedded, nothing parsed
    (corpus_copy / "da-nang.md").unlink()
    assistant.index()
    assert "da-nang" not in analysed_docs(assistant.settings)
    assert set(analysed_docs(assistant.settings)) == {m["doc_id"] for m in assistant.lexical.metadatas}


def test_a_new_parser_version_parses_again_and_keeps_the_terms(tmp_path):
    rows = LexicalRows(tmp_path / "lexical.sqlite")
    every = {f"c{i}": (f"c{i}", f"Le club numéro {i} a réuni {i + 10} joueurs.", {"doc_id": "d"}) for i in range(6)}
    parsed: list[tuple[int, int]] = []
    assert rows.sync(list(every), lambda ids: [every[i] for i in ids], progress=lambda *p: parsed.append(p)) == (6, 0)
    assert parsed[-1] == (6, 6)
    terms = {i: t for i, _, _, t in rows.read()}
    with sqlite3.connect(rows.path) as conn:
        conn.execute("UPDATE state SET value = 'older' WHERE key = 'analysis'")
    assert rows.analyses(["c1"]) == {}  # another version's analysis is not handed out
    parsed.clear()
    assert rows.sync(list(every), lambda ids: [], progress=lambda *p: parsed.append(p)) == (0, 0)
    assert parsed[-1] == (6, 6) and {i: t for i, _, _, t in rows.read()} == terms
    parsed.clear()
    assert rows.sync(list(every), lambda ids: [], progress=lambda *p: parsed.append(p)) == (0, 0) and not parsed
    text = every["c3"][1]
    spans = {(text[m.start : m.end], m.head_lemma) for m in rows.analyses(["c3"])["c3"].mentions if m.kind == "NUM"}
    assert ("13 joueurs", "joueur") in spans
