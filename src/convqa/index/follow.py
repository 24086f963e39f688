"""Keep the indexes derived from the vector store in step with it, at the cost of what changed.

The vector store (passages and their vectors) is the reference. Two indexes follow it:
the sentence vectors (convqa.index.sentences) and the lexical rows with their analysed
terms (convqa.index.lexical_rows). After an index run, or when another process's run
moved the store's revision, only the chunks that came or went are fetched, encoded or
analysed. Listing the store's ids is the only step that grows with the corpus.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from convqa.analysis.storage import Progress
from convqa.index.catalog import lexical_path
from convqa.index.lexical import LexicalIndex
from convqa.index.lexical_rows import Fetch, LexicalRows, Row, fingerprint
from convqa.index.sentences import SentenceIndex
from convqa.index.vectors import VectorStore
from convqa.index.view import IndexView
from convqa.settings import Settings

#: How often (seconds) a question checks that the lexical index matches the vector store.
CONSISTENCY_CHECK_SECONDS = 1.0


def fetcher(store: VectorStore, known: Mapping[str, tuple[str, dict[str, Any]]] | None = None) -> Fetch:
    """Rows of chunk ids: from ``known`` (this run's own chunk documents) else from the store."""
    known = known or {}

    def fetch(ids: Iterable[str]) -> list[Row]:
        ids = list(ids)
        rows = [(i, *known[i]) for i in ids if i in known]
        missing = [i for i in ids if i not in known]
        return rows + (store.rows(missing) if missing else [])

    return fetch


def follow_store(
    store: VectorStore,
    settings: Settings,
    sentences: SentenceIndex,
    *,
    before: set[str] | None,
    known: Mapping[str, tuple[str, dict[str, Any]]] | None = None,
    progress: Progress | None = None,
) -> str:
    """Bring the sentence vectors and the lexical rows in line with the store; its fingerprint.

    ``before`` is the set of chunk ids the store held when the run was planned, given
    only when that state was complete (its revision marked): the sentence vectors then
    change by the difference. Otherwise (a run cut short, a model change) every stored
    sentence is listed and the missing ones added, as a clean build would. ``progress``
    counts the passages parsed (the French analysis of the lexical rows).
    """
    ids = store.ids()
    fetch = fetcher(store, known)
    # Sentence vectors before the revision mark: readers never see passages without them.
    if before is not None:
        sentences.update(fetch(ids - before), before - ids)
    else:
        sentences.sync(*store.all())
    LexicalRows(lexical_path(settings)).sync(ids, fetch, analyse=settings.analyse_passages, progress=progress)
    return fingerprint(list(ids))


class LexicalFollower:
    """Keeps a BM25 index in step with the vector store, and hands out views of it.

    At most once a second (``check_every``) the store's revision (written by every complete
    index run, in any process, embedded or on a server) is read. When it moved, the lexical
    rows on disk are brought in line with the store if they do not match it (another
    process's run: only the chunks that came or went are fetched and analysed), and the
    index in memory drops and adds those chunks, reusing the others' terms. Thread-safe.
    """

    def __init__(self, store: VectorStore, settings: Settings, check_every: float = CONSISTENCY_CHECK_SECONDS) -> None:
        self.store = store
        self.settings = settings
        self.check_every = check_every
        self._view: IndexView | None = None
        self._checked = 0.0
        self._lock = threading.RLock()

    def view(self) -> IndexView:
        """The current index view (one per question: every step of it reads the same one)."""
        with self._lock:
            now = time.monotonic()
            if self._view is not None and now - self._checked < self.check_every:
                return self._view
            self._checked = now
            revision = self.store.revision()
            if self._view is not None and revision == self._view.revision:
                return self._view
            rows = LexicalRows(lexical_path(self.settings))
            self._view = IndexView(self._follow(revision), revision, rows)
            return self._view

    def expire(self) -> None:
        """Look at the store's revision on the next view (after this process indexed)."""
        with self._lock:
            self._checked = 0.0

    def _follow(self, revision: str | None) -> LexicalIndex:
        rows = LexicalRows(lexical_path(self.settings))
        if revision is None or rows.fingerprint() != revision:
            # Another process's run: only the chunks this data directory lacks are parsed.
            rows.sync(self.store.ids(), fetcher(self.store), analyse=self.settings.analyse_passages)
        current = self._view.lexical if self._view is not None else None
        if current is None:
            return LexicalIndex.from_rows(rows.read())
        ids, have = rows.ids(), set(current.ids)
        if ids != have:
            current = current.updated(have - ids, rows.read(ids - have))
        return current
