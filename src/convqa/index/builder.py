"""Sync the indexes with the corpus folder, incrementally.

LangChain's indexing API with a persistent SQL record manager decides what to embed:
chunk ids are content hashes, so an unchanged corpus embeds nothing, an edited article
is re-embedded alone and a removed article's chunks are deleted (``cleanup="full"``).
The BM25 index is then rebuilt from the vector store's own contents, so the two always
describe the same chunks. A run killed half-way leaves the previous index answering; the
next run finds the missing records and finishes the work (same ids, no duplicates).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from filelock import FileLock, Timeout
from langchain_core.documents import Document

from convqa.corpus.chunker import chunk_article
from convqa.corpus.loader import Article, load_corpus
from convqa.errors import StoreError
from convqa.index.catalog import lexical_path, record_db_url, record_namespace
from convqa.index.changes import Changes, embed_first, plan_changes
from convqa.index.embedder import Embedder, LazyEmbedder
from convqa.index.faults import guarded
from convqa.index.lexical import LexicalIndex
from convqa.index.sentences import SentenceIndex
from convqa.index.vectors import VectorStore
from convqa.index.writers import collection_turn
from convqa.settings import Settings

log = logging.getLogger(__name__)

#: progress(done, total): passages embedded so far, of those this run embeds.
Progress = Callable[[int, int], None]


@dataclass
class IndexReport:
    """What one index run did (chunk counts) and the size of the result."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0
    # The same run in articles (convqa.index.changes): "1 article added (2 passages)".
    articles_added: int = 0
    articles_updated: int = 0
    articles_deleted: int = 0
    articles_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return asdict(self)


def record_manager(settings: Settings):
    """The persistent record manager (SQLite in the data directory)."""
    from langchain_classic.indexes import SQLRecordManager

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    manager = SQLRecordManager(namespace=record_namespace(settings), db_url=record_db_url(settings))
    manager.create_schema()
    return manager


def chunk_documents(articles: list[Article], settings: Settings) -> list[Document]:
    """LangChain documents, one per chunk, carrying offsets and article metadata."""
    docs = []
    for article in articles:
        for chunk in chunk_article(article, settings.chunk_max_words, settings.chunk_min_words):
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


def rebuild_lexical(store: VectorStore, settings: Settings, contents: tuple | None = None) -> LexicalIndex:
    """Derive the BM25 index from the vector store (or its ``store.all()`` contents) and save it atomically."""
    ids, texts, metas = contents or store.all()
    lexical = LexicalIndex(ids, texts, metas)
    lexical.save(lexical_path(settings))
    return lexical


def _clear_records(manager) -> None:
    keys = manager.list_keys()
    for i in range(0, len(keys), 500):
        manager.delete_keys(keys[i:i + 500])


@guarded  # a Chroma server or record database that goes down: one line, not a traceback
def build_index(
    settings: Settings | None = None,
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
    from langchain_core.indexing import index

    settings = settings or Settings()
    started = time.perf_counter()
    articles, warnings = load_corpus(settings.corpus_dir, settings.max_article_bytes)
    docs = chunk_documents(articles, settings)
    report = IndexReport(documents=len(articles), chunks=len(docs), warnings=warnings)

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.data_dir / "index.lock"))
    try:
        lock.acquire(timeout=600)
    except Timeout as exc:
        raise StoreError(f"another index run holds {settings.data_dir / 'index.lock'}") from exc
    try:
        client = store.client if store is not None else None
        if client is None:
            from convqa.index.vectors import open_client

            client = open_client(settings)
        changes = plan_changes(settings, docs, full=full, client=client, model=embedder.name if embedder else None)
        report.articles_added, report.articles_updated = len(changes.added), len(changes.updated)
        report.articles_deleted, report.articles_unchanged = len(changes.deleted), changes.unchanged
        if on_plan:
            on_plan(changes)
        if changes.up_to_date:
            report.skipped = len(docs)
            report.seconds = round(time.perf_counter() - started, 3)
            return report
        docs = embed_first(docs, changes)
        embedder = embedder or LazyEmbedder(settings.model, settings.data_dir)
        store = store or VectorStore(settings, embedder, client=client)
        with collection_turn(settings):  # two indexers creating the table at once: one would fail
            manager = record_manager(settings)
        sentences = SentenceIndex(store.client, settings.collection, embedder)
        work = len(changes.to_embed)
        if store.model not in (None, store.recipe):
            work = len(docs)
            report.message = (
                f"embedding model changed ({store.model} → {store.recipe}): re-embedding all "
                f"{len(docs)} chunks of {len(articles)} articles"
            )
            log.warning(report.message)
            store.reset()
            sentences.reset()
            _clear_records(manager)

        batch = 256  # large batches let the embedder group texts of similar length (less padding)

        def source() -> Iterator[Document]:
            # index() pulls a batch, then embeds it: pulling the next one means the last is done.
            for pulled, doc in enumerate(docs):
                if progress and pulled % batch == 0:
                    progress(min(pulled, work), work)
                yield doc

        result = index(
            source(),
            manager,
            store.langchain,
            cleanup="full",
            source_id_key="doc_id",
            key_encoder="sha256",
            batch_size=batch,
            force_update=full,
        )
        if progress:
            progress(work, work)
        # Other indexers of the collection take turns here (convqa.index.writers): the last
        # to finish reads the store after everyone's writes.
        with collection_turn(settings):
            contents = store.all()
            # Sentence vectors before the revision mark: readers never see passages without them.
            sentences.sync(*contents)
            lexical = rebuild_lexical(store, settings, contents)
            # Readers in other processes compare this with their lexical index to stay in step.
            store.mark_revision(lexical.fingerprint)
    finally:
        lock.release()
    report.added = result["num_added"]
    report.updated = result["num_updated"]
    report.skipped = result["num_skipped"]
    report.deleted = result["num_deleted"]
    report.seconds = round(time.perf_counter() - started, 3)
    return report
