"""Which articles an index run has to embed, worked out before the model is loaded.

Chunk ids are content hashes (LangChain's indexing API derives them from each chunk's
text and metadata), so comparing the corpus's chunk ids with the stored ones tells, per
article, what is new, changed, unchanged or gone. That gives the run's report in
articles ("1 article added (2 passages)"), the order in which to embed (work first, so
progress means something), and whether there is anything to do at all: an unchanged
corpus is recognised without loading the embedding model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from langchain_core.documents import Document

from convqa.index.catalog import lexical_path, open_collection, owned, read_lexical, record_keys
from convqa.index.lexical_rows import LexicalRows, fingerprint
from convqa.index.paging import batched, pages
from convqa.model.spec import spec_for
from convqa.settings import Settings

#: The key encoder given to LangChain's index(): chunk ids are its sha256 hashes.
KEY_ENCODER = "sha256"


def chunk_ids(docs: list[Document]) -> list[str]:
    """The id LangChain's index() gives each chunk (a hash of its text and metadata)."""
    # The hashing is LangChain's own (a private helper), so the ids are equal by construction.
    # Chunks from the chunk cache (convqa.index.chunk_cache) carry the id computed when cached.
    from langchain_core.indexing.api import _get_document_with_hash

    return [doc.id or _get_document_with_hash(doc, key_encoder=KEY_ENCODER).id for doc in docs]


@dataclass
class Changes:
    """What an index run will change, article by article (passage counts as values)."""

    added: dict[str, int] = field(default_factory=dict)  # new articles: passages to embed
    updated: dict[str, int] = field(default_factory=dict)  # changed articles: passages to embed
    deleted: dict[str, int] = field(default_factory=dict)  # gone articles: passages to remove
    unchanged: int = 0  # articles
    #: Chunk ids not yet in the store (the passages to embed), in corpus order.
    to_embed: list[str] = field(default_factory=list)
    #: Every chunk's id, in the order of the documents planned.
    ids: list[str] = field(default_factory=list)
    #: True when the store, the records and the lexical index already hold exactly these chunks.
    up_to_date: bool = False
    #: Every chunk id in the store when the run was planned (every indexer's).
    stored_ids: set[str] = field(default_factory=set)
    #: This indexer's records (chunk id → article id) when the run was planned.
    records: dict[str, str | None] = field(default_factory=dict)
    #: True when the last run to write the store completed (its revision mark equals the
    #: store's chunks): its sentence vectors are then complete, and only what this run
    #: changes needs syncing.
    store_complete: bool = False

    @property
    def to_do(self) -> dict[str, int]:
        """Articles to embed, in corpus order, with their passages to embed."""
        return self.added | self.updated


def stored_owners(settings: Settings, collection: Any, page: int = 20000) -> dict[str, dict[str, Any]]:
    """Every stored chunk's id with its article id and indexer.

    The ids come from the store (cheap: no metadata); the metadata from the lexical rows
    on disk, which is exact for any id they hold because a chunk id is a hash of the
    chunk's metadata too. Only ids the rows do not know (a run cut short, another
    process's run) are looked up in the store. Reading every chunk's metadata back from
    Chroma instead was most of a planning step (2.5 s of 3.6 s at 10,000 passages, where
    listing the ids takes 0.04 s), and grew with the corpus.
    """
    if collection is None:
        return {}
    ids: list[str] = []
    for got in pages(collection, [], page):
        ids += got["ids"]
    known = LexicalRows(lexical_path(settings)).owners()
    owners = {i: known[i] for i in ids if i in known}
    missing = [i for i in ids if i not in known]
    for part in batched(missing, 2000):
        got = collection.get(ids=list(part), include=["metadatas"])
        owners.update((i, dict(m or {})) for i, m in zip(got["ids"], got["metadatas"]))
    return owners


def plan_changes(
    settings: Settings, docs: list[Document], *, full: bool = False, client: Any = None, model: str | None = None
) -> Changes:
    """Compare the corpus's chunks with the store's, without loading the model.

    ``full=True`` (re-embed everything) counts every article as updated. ``model`` names
    the embedder that would run (``settings.model`` by default): a store filled by another
    model is never up to date.
    """
    ids = chunk_ids(docs)
    collection = open_collection(settings, client)
    everything = stored_owners(settings, collection)
    # Another indexer's chunks (settings.indexer) are not this run's to add, update or delete.
    stored = {chunk_id: meta for chunk_id, meta in everything.items() if owned(settings, meta)}
    before: dict[str, set[str]] = defaultdict(set)
    for chunk_id, meta in stored.items():
        before[str(meta.get("doc_id"))].add(chunk_id)
    after: dict[str, list[str]] = defaultdict(list)
    for chunk_id, doc in zip(ids, docs):
        after[str(doc.metadata.get("doc_id"))].append(chunk_id)

    records = record_keys(settings)
    metadata = (collection.metadata or {}) if collection is not None else {}
    recipe = spec_for(model or settings).recipe(settings.embed_titles)
    changes = Changes(ids=ids, stored_ids=set(everything), records=records)
    changes.store_complete = metadata.get("convqa_model") == recipe and metadata.get("convqa_revision") == fingerprint(
        list(everything)
    )
    for doc_id, chunks in after.items():
        new = [c for c in chunks if full or c not in stored]
        if doc_id not in before:
            changes.added[doc_id] = len(new)
        elif new or set(chunks) != before[doc_id]:
            changes.updated[doc_id] = len(new)
        else:
            changes.unchanged += 1
        changes.to_embed += new
    changes.deleted = {doc_id: len(chunks) for doc_id, chunks in before.items() if doc_id not in after}
    if not full and collection is not None and set(ids) == set(stored):
        lexical_fingerprint, _ = read_lexical(settings)
        # The revision is written last by a complete run: equal to these chunks' fingerprint,
        # that run's passage vectors, sentence vectors and lexical index are all in place.
        changes.up_to_date = (
            changes.store_complete
            and metadata.get("convqa_revision") == lexical_fingerprint
            and set(records) == set(ids)
        )
    return changes


def embed_first(docs: list[Document], changes: Changes) -> list[Document]:
    """The chunks to embed first (in corpus order), then the unchanged ones.

    LangChain's index() embeds batch by batch: with the work in the first batches,
    progress counted in batches is progress in embedding.
    """
    todo = set(changes.to_embed)
    pairs = list(zip(docs, changes.ids))
    return [d for d, i in pairs if i in todo] + [d for d, i in pairs if i not in todo]
