"""What the index holds, read without the embedding model: counts, articles, records.

``convqa status``, ``convqa articles`` and the up-to-date check of an index run answer
from here. They open the Chroma store (chromadb only), the lexical index file and the
record manager's table (SQLAlchemy only), and never import torch, sentence-transformers
or LangChain's vector-store wrapper: a status takes about a second, not the ten that
loading the model costs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from convqa.errors import ConvqaError
from convqa.index.chroma_client import open_client
from convqa.index.faults import translate
from convqa.index.lexical_rows import LexicalRows
from convqa.index.locations import collection_namespace, lexical_path, record_db_url, record_namespace
from convqa.index.paging import pages
from convqa.model.spec import spec_for
from convqa.settings import Settings

#: The table LangChain's SQLRecordManager keeps (its schema is its persisted format).
RECORD_TABLE = "upsertion_record"


@dataclass(frozen=True)
class ArticleInfo:
    """One indexed article, as its passages' metadata describe it."""

    doc_id: str
    title: str
    date: str
    source: str
    #: The article's file, relative to the corpus folder ("file", not "path": gradio_client
    #: would take a dict with a "path" for a file to download).
    file: str
    lang: str
    passages: int

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return asdict(self)


def owned(settings: Settings, metadata: dict[str, Any]) -> bool:
    """Whether a stored chunk was indexed by this indexer (chunk metadata ``indexer``)."""
    return (metadata.get("indexer") or None) == settings.indexer


def record_keys(settings: Settings, every_indexer: bool = False) -> dict[str, str | None]:
    """Every record's key (a chunk id) and group (its article id); {} when there is none yet.

    Records of this indexer's namespace; with ``every_indexer``, of every indexer of the
    collection (what the store should hold). Read with SQLAlchemy Core from the record
    manager's own table, so that counting the records does not import LangChain's
    indexing machinery.
    """
    from sqlalchemy import create_engine, inspect, text

    url = record_db_url(settings)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return {}  # never indexed: do not create an empty database file as a side effect
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table(RECORD_TABLE):
            return {}
        with engine.connect() as conn:
            if every_indexer:
                # The collection's own namespace and each indexer's "<namespace>/<name>".
                base = collection_namespace(settings)
                rows = conn.execute(
                    text(
                        f"SELECT key, group_id FROM {RECORD_TABLE} WHERE namespace = :ns OR "
                        "substr(namespace, 1, :n) = :prefix"
                    ),
                    {"ns": base, "prefix": base + "/", "n": len(base) + 1},
                )
            else:
                rows = conn.execute(
                    text(f"SELECT key, group_id FROM {RECORD_TABLE} WHERE namespace = :ns"),
                    {"ns": record_namespace(settings)},
                )
            return {str(key): group for key, group in rows}
    finally:
        engine.dispose()


def open_collection(settings: Settings, client: Any = None) -> Any:
    """The chunks' Chroma collection, or None when it does not exist yet."""
    if client is None:
        client = open_client(settings)
    try:
        return client.get_collection(settings.collection)
    except Exception as exc:  # chromadb raises its own NotFoundError (ValueError in older versions)
        if translate(exc, settings) is not None:
            raise  # a server that is down is not an empty store
        return None


def stored_chunks(collection: Any, page: int = 5000) -> dict[str, dict[str, Any]]:
    """Every stored chunk's id and metadata (no texts, no vectors), paged."""
    chunks: dict[str, dict[str, Any]] = {}
    if collection is None:
        return chunks
    for got in pages(collection, ["metadatas"], page):
        chunks.update((i, dict(m or {})) for i, m in zip(got["ids"], got["metadatas"]))
    return chunks


def read_lexical(settings: Settings) -> tuple[str | None, list[dict[str, Any]]]:
    """The saved lexical index's fingerprint and each chunk's article id, without building BM25."""
    rows = LexicalRows(lexical_path(settings))
    return rows.fingerprint(), [{"doc_id": d} for d in rows.doc_ids()]


def articles_of(metadatas: list[dict[str, Any]]) -> list[ArticleInfo]:
    """One ArticleInfo per article id among chunk metadata, newest date first, then title."""
    passages = Counter(str(m.get("doc_id")) for m in metadatas)
    first: dict[str, dict[str, Any]] = {}
    for m in metadatas:
        first.setdefault(str(m.get("doc_id")), m)
    articles = [
        ArticleInfo(
            doc_id=doc_id,
            title=str(m.get("title") or doc_id),
            date=str(m.get("date") or ""),
            source=str(m.get("source") or ""),
            file=str(m.get("path") or ""),
            lang=str(m.get("lang") or ""),
            passages=passages[doc_id],
        )
        for doc_id, m in first.items()
    ]
    articles.sort(key=lambda a: a.title.casefold())
    articles.sort(key=lambda a: a.date, reverse=True)  # stable: same date stays by title
    return articles


def list_articles(settings: Settings, client: Any = None) -> list[ArticleInfo]:
    """The indexed articles, read from the vector store (what answers come from)."""
    return articles_of(list(stored_chunks(open_collection(settings, client)).values()))


def index_status(
    settings: Settings, client: Any = None, lexical: Any = None, calibrated: bool | None = None
) -> dict[str, Any]:
    """Counts of the vector store, the lexical index and the record manager, and what built them.

    ``lexical`` is a loaded LexicalIndex to count instead of reading the saved file;
    ``calibrated`` what the caller's Calibration says (else looked up, with its warning).
    """
    spec = spec_for(settings)
    if calibrated is None:
        calibrated = spec.calibration.calibrated
    collection = open_collection(settings, client)
    chunks = collection.count() if collection is not None else 0
    if lexical is not None:
        metadatas = lexical.metadatas
    else:
        _, metadatas = read_lexical(settings)
    # Every indexer's records: together they describe what the collection should hold.
    records = len(record_keys(settings, every_indexer=True))
    recipe = spec.recipe(settings.embed_titles)
    model = ((collection.metadata or {}).get("convqa_model") if collection is not None else None) or recipe
    return {
        "documents": len({m.get("doc_id") for m in metadatas}),
        "chunks": chunks,
        "lexical_chunks": len(metadatas),
        "records": records,
        "consistent": chunks == len(metadatas) == records,
        "model": model,
        "calibrated": calibrated,
        "answerer": settings.answerer,
        "abstention": settings.abstention,
        "short_answer": settings.short_answer,
        "store": "server" if settings.chroma_url else "embedded",
        "location": settings.store_description,
        "indexer": settings.indexer,
        "data_dir": str(settings.data_dir.resolve()),
    }


def delete_article_file(settings: Settings, doc_id: str, client: Any = None) -> ArticleInfo:
    """Delete an indexed article's file from the corpus folder; its ArticleInfo.

    The passages stay in the indexes until the next index run, whose full cleanup removes
    them (callers run it). ConvqaError when no indexed article has this id, or when its
    recorded path would lead outside the corpus folder or through a link.
    """
    chunks = list(stored_chunks(open_collection(settings, client)).values())
    info = next((a for a in articles_of(chunks) if a.doc_id == doc_id), None)
    if info is None:
        raise ConvqaError("no_such_article", doc_id=doc_id)
    # Another indexer's article: its file is in that indexer's corpus folder, not this one.
    if not any(owned(settings, m) for m in chunks if str(m.get("doc_id")) == doc_id):
        raise ConvqaError("other_indexer", doc_id=doc_id)
    root = Path(settings.corpus_dir).resolve()
    path = root / info.file
    # Index metadata is data: a path must name a plain file inside the folder, nothing else.
    if (
        not info.file
        or not path.resolve().is_relative_to(root)
        or any(p.is_symlink() for p in [path, *path.parents] if p.is_relative_to(root) and p != root)
    ):
        raise ConvqaError("outside_corpus", doc_id=doc_id)
    path.unlink(missing_ok=True)  # already deleted by hand: the index run still removes the passages
    return info
