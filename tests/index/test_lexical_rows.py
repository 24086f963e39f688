"""The lexical index follows the store by difference and equals one built from scratch."""

from __future__ import annotations

from articles import KAHONE
from convqa.assistant import Assistant
from convqa.index.catalog import lexical_path
from convqa.index.lexical import LexicalIndex
from convqa.index.lexical_rows import LexicalRows, fingerprint

QUERIES = [
    "Quel organisme dirige Ghada Waly ?",
    "centrale solaire de Kahone",
    "cybercriminalité convention Hanoï",
    "observatoire du cyberespace",
    "puissance en mégawatts",
]


DA_NANG = """---
title: Inauguration d'un observatoire du cyberespace à Da Nang
date: 2025-11-10
---
La ville de Da Nang a inauguré mardi un observatoire du cyberespace chargé de surveiller les attaques informatiques.

L'observatoire emploie quarante-deux analystes formés avec l'aide de l'Union européenne.
"""


def results(index: LexicalIndex) -> list[list[tuple[str, float]]]:
    return [[(index.ids[h.row], round(h.score, 5)) for h in index.search(q, k=10)] for q in QUERIES]


def texts(n: int) -> list[tuple[str, str, dict]]:
    words = ["centrale", "solaire", "Kahone", "mégawatts", "observatoire", "Hanoï", "convention", "analystes"]
    return [
        (
            f"c{i:03d}",
            " ".join(words[j % len(words)] for j in range(i, i + 3 + i % 5)),
            {"doc_id": f"d{i % 7}", "title": f"T{i % 3}"},
        )
        for i in range(n)
    ]


def test_rows_change_by_difference_and_fetch_only_new_chunks(tmp_path):
    rows = LexicalRows(tmp_path / "lexical.sqlite")
    every = {r[0]: r for r in texts(40)}
    asked: list[list[str]] = []

    def fetch(ids):
        asked.append(sorted(ids))
        return [every[i] for i in ids]

    assert rows.sync(list(every)[:30], fetch) == (30, 0)
    assert rows.sync(list(every)[10:40], fetch) == (10, 10)
    assert asked[1] == sorted(list(every)[30:40])  # the 20 kept chunks were neither fetched nor analysed
    assert rows.sync(list(every)[10:40], fetch) == (0, 0) and len(asked) == 2
    assert rows.fingerprint() == fingerprint(list(every)[10:40]) and rows.ids() == set(list(every)[10:40])

    # The stored rows give the same BM25 as an index analysed from the texts themselves.
    stored = LexicalIndex.from_rows(rows.read())
    scratch = LexicalIndex(*map(list, zip(*sorted(every[i] for i in list(every)[10:40]))))
    assert stored.ids == scratch.ids and stored.tokens == scratch.tokens and results(stored) == results(scratch)


def test_an_updated_index_equals_one_built_from_scratch(tmp_path):
    rows = texts(50)
    start = LexicalIndex.from_rows([(i, t, m, LexicalIndex([i], [t], [m]).tokens[0]) for i, t, m in rows[:35]])
    scratch = LexicalIndex.from_rows([(i, t, m, LexicalIndex([i], [t], [m]).tokens[0]) for i, t, m in rows[5:50]])
    added = [(i, t, m, LexicalIndex([i], [t], [m]).tokens[0]) for i, t, m in rows[35:50]]
    updated = start.updated([r[0] for r in rows[:5]], added)
    assert updated.ids == scratch.ids and updated.fingerprint == scratch.fingerprint
    assert results(updated) == results(scratch) and any(results(updated))
    assert len(start) == 35  # the index being searched is left as it was


def test_index_runs_keep_the_lexical_index_equal_to_a_clean_build(make_settings, corpus_copy, embedder):
    assistant = Assistant(make_settings(corpus_copy), embedder=embedder)
    assistant.index()
    before = list(assistant.lexical.ids)

    (corpus_copy / "kahone.md").write_text(KAHONE, encoding="utf-8")
    (corpus_copy / "da-nang.md").write_text(DA_NANG, encoding="utf-8")
    assistant.index()
    (corpus_copy / "kahone.md").write_text(KAHONE.replace("100 000 foyers", "250 000 foyers"), encoding="utf-8")
    (corpus_copy / "da-nang.md").unlink()
    assistant.index()
    followed = assistant.lexical
    assert set(before) < set(followed.ids)
    assert any("250 000 foyers" in t for t in followed.texts) and all(
        m["doc_id"] != "da-nang" for m in followed.metadatas
    )

    # A collection of its own on a server (the embedded store lives in the data dir).
    other = {"collection": assistant.settings.collection + "-clean"} if assistant.settings.chroma_url else {}
    clean = Assistant(make_settings(corpus_copy, **other), embedder=embedder)
    clean.index()
    reference = clean.lexical
    store_ids = set(assistant.store.ids())
    assert followed.ids == reference.ids and set(followed.ids) == store_ids
    assert followed.fingerprint == assistant.store.revision() == reference.fingerprint
    assert results(followed) == results(reference) and any(results(reference))
    # On disk as in memory: a process starting now loads the same index.
    on_disk = LexicalIndex.from_rows(LexicalRows(lexical_path(assistant.settings)).read())
    assert on_disk.ids == reference.ids and results(on_disk) == results(reference)
