"""Keep the indexes derived from the vector store in step with it, at the cost of what changed.

The vector store (passages and their vectors) is the reference. Two indexes follow it:
the sentence vectors (convqa.index.sentences) and the lexical rows with their analysed
terms (convqa.index.lexical_rows). After an index run, or when another process's run
moved the store's revision, only the chunks that came or went are fetched, encoded or
analysed. Listing the store's ids is the only step that grows with the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from convqa.index.catalog import lexical_path
from convqa.index.lexical_rows import Fetch, LexicalRows, Row, fingerprint
from convqa.index.sentences import SentenceIndex
from convqa.index.vectors import VectorStore
from convqa.settings import Settings


def fetcher(store: VectorStore, known: Mapping[str, tuple[str, dict[str, Any]]] | None = None) -> Fetch:
    """Rows of chunk ids: from ``known`` (this run's own chunk documents) else from the store."""
    known = known or {}

    def fetch(ids: Iterable[str]) -> list[Row]:
        ids = list(ids)
        rows = [(i, *known[i]) for i in ids if i in known]
        missing = [i for i in ids if i not in known]
        return rows + (store.rows(missing) if missing else [])

    return fetch


def follow_store(store: VectorStore, settings: Settings, sentences: SentenceIndex, *,
                 before: set[str] | None, known: Mapping[str, tuple[str, dict[str, Any]]] | None = None) -> str:
    """Bring the sentence vectors and the lexical rows in line with the store; its fingerprint.

    ``before`` is the set of chunk ids the store held when the run was planned, given
    only when that state was complete (its revision marked): the sentence vectors then
    change by the difference. Otherwise (a run cut short, a model change) every stored
    sentence is listed and the missing ones added, as a clean build would.
    """
    ids = store.ids()
    fetch = fetcher(store, known)
    # Sentence vectors before the revision mark: readers never see passages without them.
    if before is not None:
        sentences.update(fetch(ids - before), before - ids)
    else:
        sentences.sync(*store.all())
    LexicalRows(lexical_path(settings)).sync(ids, fetch)
    return fingerprint(list(ids))
