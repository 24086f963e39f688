"""Sync the indexes with the corpus folder, incrementally.

LangChain's indexing API with a persistent SQL record manager decides what to embed:
chunk ids are content hashes, so an unchanged corpus embeds nothing, an edited article
is re-embedded alone and a removed article's chunks are deleted.

Each run costs what changed: unchanged files come from the chunk cache
(convqa.index.chunk_cache); only the articles whose chunks differ from the store's or the
records' go through LangChain's index() (``cleanup="incremental"``, per article); a
removed article's records and vectors are deleted by its group; the sentence vectors and
the lexical rows follow the store by difference (convqa.index.follow), so the lexical
index always describes the store's chunks. ``--full`` and a new model send every chunk
through index() with ``cleanup="full"``. A run killed half-way leaves the previous index answering;
the next run finds the missing records and finishes the work (same ids, no duplicates).
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout
from langchain_core.documents import Document

from convqa.corpus.chunker import chunk_article
from convqa.corpus.loader import Article
from convqa.errors import StoreError
from convqa.index.changes import Changes, embed_first, plan_changes
from convqa.index.chroma_client import open_client
from convqa.index.chunk_cache import load_chunked
from convqa.index.faults import server_faults
from convqa.index.follow import follow_store
from convqa.index.records import clear_records, delete_gone, forget_lost_vectors, record_manager
from convqa.index.report import IndexReport
from convqa.index.sentences import SentenceIndex
from convqa.index.vectors import VectorStore
from convqa.index.writers import collection_turn
from convqa.model.embedder import Embedder, LazyEmbedder
from convqa.model.spec import chunk_max_words, spec_for
from convqa.settings import Settings

log = logging.getLogger(__name__)

#: progress(done, total): passages embedded so far, of those this run embeds.
Progress = Callable[[int, int], None]


def chunk_documents(articles: list[Article], settings: Settings) -> list[Document]:
    """LangChain documents, one per chunk, carrying offsets and article metadata."""
    docs = []
    max_words = chunk_max_words(settings)
    for article in articles:
        for chunk in chunk_article(article, max_words, settings.chunk_min_words):
            docs.append(
                Document(
                    page_content=chunk.text,
                    metadata={
                        "doc_id": article.doc_id,
                        "title": article.title,
                        "source": article.source,
                        "date": article.date,
                        "lang": article.lang,
                        "path": article.path,
                        # Only when known: a new key on every chunk would re-embed every article.
                        **({"author": article.author} if article.author else {}),
                        "chunk": chunk.index,
                        "start": chunk.start,
                        "end": chunk.end,
                        # Sentence spans relative to the chunk, for quoting without re-splitting.
                        "sentences": json.dumps([[s - chunk.start, e - chunk.start] for s, e in chunk.sentences]),
                        # Whose chunk it is when several indexers fill one collection (only then:
                        # a lone indexer's chunk ids stay what they were).
                        **({"indexer": settings.indexer} if settings.indexer else {}),
                    },
                )
            )
    return docs


def _articles_to_redo(docs: list[Document], changes: Changes) -> set[str]:
    """Articles whose chunks differ from the store's (new, edited) or from the records'.

    The second case is a run killed between writing vectors and their records: the
    article then goes through index() again, which writes the missing records.
    """
    recorded: dict[str, set[str]] = defaultdict(set)
    for key, group in changes.records.items():
        recorded[str(group)].add(key)
    corpus: dict[str, set[str]] = defaultdict(set)
    for doc, chunk_id in zip(docs, changes.ids):
        corpus[str(doc.metadata.get("doc_id"))].add(chunk_id)
    return set(changes.to_do) | {doc_id for doc_id, ids in corpus.items() if ids != recorded.get(doc_id)}


#: Chunks LangChain's index() pulls and embeds at a time: large batches let the embedder
#: group texts of similar length (less padding).
BATCH = 256


@contextmanager
def _index_lock(settings: Settings) -> Iterator[None]:
    """Hold the data directory's index lock: one index run at a time per data directory."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.data_dir / "index.lock"))
    try:
        lock.acquire(timeout=600)
    except Timeout as exc:
        raise StoreError("index_locked", lock=settings.data_dir / "index.lock") from exc
    try:
        yield
    finally:
        lock.release()


def _pulling(progress: Progress | None, work: int) -> Callable[[list[Document]], Iterator[Document]]:
    """The documents handed to index(), reporting progress as batches are pulled."""

    def source(chosen: list[Document]) -> Iterator[Document]:
        # index() pulls a batch, then embeds it: pulling the next one means the last is done.
        for pulled, doc in enumerate(chosen):
            if progress and pulled % BATCH == 0:
                progress(min(pulled, work), work)
            yield doc

    return source


def _write(
    docs: list[Document],
    changes: Changes,
    redo: set[str],
    manager,
    store: VectorStore,
    source,
    *,
    whole: bool,
    full: bool,
) -> tuple[dict, int]:
    """Send the chunks through LangChain's index(); its counts and the vectors deleted here.

    ``redo``: the articles to send when not ``whole`` (convqa.index.builder._articles_to_redo).
    """
    from langchain_core.indexing import index

    if whole:  # every chunk goes through index(): its full cleanup deletes the rest
        result = index(
            source(docs),
            manager,
            store.langchain,
            cleanup="full",
            source_id_key="doc_id",
            key_encoder="sha256",
            batch_size=BATCH,
            force_update=full,
        )
        return result, 0
    # Only the changed articles: their old chunks go by incremental cleanup (per
    # article), the removed articles' by their group, the others are not touched.
    changed = [doc for doc in docs if str(doc.metadata.get("doc_id")) in redo]
    result = {"num_added": 0, "num_updated": 0, "num_skipped": 0, "num_deleted": 0}
    if changed:
        result = index(
            source(changed),
            manager,
            store.langchain,
            cleanup="incremental",
            source_id_key="doc_id",
            key_encoder="sha256",
            batch_size=BATCH,
        )
    deleted = delete_gone(store, manager, changes, docs)
    result["num_skipped"] += len(docs) - len(changed)
    return result, deleted


def _start_over(store: VectorStore, sentences: SentenceIndex, manager, report: IndexReport, chunks: int) -> None:
    """Empty the store, the sentence vectors and the records: the embedding model changed."""
    report.message = (
        f"embedding model changed ({store.model} → {store.recipe}): re-embedding all "
        f"{report.documents} articles ({chunks} passages)"
    )
    log.warning(report.message)
    store.reset()
    sentences.reset()
    clear_records(manager)


def _plan(settings: Settings, docs: list[Document], report: IndexReport, client, embedder, full: bool) -> Changes:
    """What this run changes, counted in articles into the report."""
    changes = plan_changes(settings, docs, full=full, client=client, model=embedder.name if embedder else None)
    report.articles_added, report.articles_updated = len(changes.added), len(changes.updated)
    report.articles_deleted, report.articles_unchanged = len(changes.deleted), changes.unchanged
    report.passages_added, report.passages_updated, report.passages_deleted = (
        sum(kind.values()) for kind in (changes.added, changes.updated, changes.deleted)
    )
    return changes


def _sync(
    settings: Settings,
    docs: list[Document],
    report: IndexReport,
    *,
    full: bool,
    progress: Progress | None,
    embedder: Embedder | None,
    store: VectorStore | None,
    on_plan: Callable[[Changes], None] | None,
) -> None:
    """The index run proper, under the data directory's lock; fills ``report``."""
    client = store.client if store is not None else open_client(settings)
    changes = _plan(settings, docs, report, client, embedder, full)
    if on_plan:
        on_plan(changes)
    if changes.up_to_date:
        report.skipped = len(docs)
        return
    # This run's own chunks: what the lexical rows and sentence vectors need of new chunks.
    known = {chunk_id: (doc.page_content, doc.metadata) for chunk_id, doc in zip(changes.ids, docs)}
    redo = _articles_to_redo(docs, changes)  # before reordering: it pairs docs with changes.ids
    docs = embed_first(docs, changes)
    embedder = embedder or LazyEmbedder(spec_for(settings), settings.data_dir)
    store = store or VectorStore(settings, embedder, client=client)
    with collection_turn(settings):  # two indexers creating the table at once: one would fail
        manager = record_manager(settings)
    sentences = SentenceIndex(store.client, settings.collection, embedder)
    model_changed = store.model not in (None, store.recipe)
    if model_changed:
        _start_over(store, sentences, manager, report, len(docs))
    whole = full or model_changed
    work = len(docs) if model_changed else len(changes.to_embed)
    forget_lost_vectors(manager, changes)
    result, deleted = _write(docs, changes, redo, manager, store, _pulling(progress, work), whole=whole, full=full)
    if progress:
        progress(work, work)
    # Other indexers of the collection take turns here (convqa.index.writers): the last
    # to finish reads the store after everyone's writes.
    with collection_turn(settings):
        # By difference from the planned state when that state was complete; after a
        # cut run or a model change, against every stored sentence.
        before = changes.stored_ids if changes.store_complete and not whole else None
        revision = follow_store(store, settings, sentences, before=before, known=known)
        # Readers in other processes compare this with their lexical index to stay in step.
        store.mark_revision(revision)
    report.added = result["num_added"]
    report.updated = result["num_updated"]
    report.skipped = result["num_skipped"]
    report.deleted = result["num_deleted"] + deleted


def build_index(
    settings: Settings,
    *,
    full: bool = False,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    store: VectorStore | None = None,
    on_plan: Callable[[Changes], None] | None = None,
) -> IndexReport:
    """Bring the indexes in line with ``settings.corpus_dir`` and report what changed.

    ``full=True`` re-embeds every chunk even when unchanged. ``on_plan`` receives the
    articles this run adds, updates and deletes before any is embedded. The model is
    loaded only when passages are to be embedded (unless ``embedder`` is given).
    """
    with server_faults(settings):  # a Chroma server or record database that goes down: one line, not a traceback
        started = time.perf_counter()
        articles, warnings, _ = load_chunked(settings, lambda article: chunk_documents([article], settings))
        docs = [doc for article in articles for doc in article.docs]
        report = IndexReport(documents=len(articles), chunks=len(docs), warnings=warnings)
        with _index_lock(settings):
            _sync(settings, docs, report, full=full, progress=progress, embedder=embedder, store=store, on_plan=on_plan)
        report.seconds = round(time.perf_counter() - started, 3)
        return report
