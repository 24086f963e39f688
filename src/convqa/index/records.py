"""The indexing record manager: LangChain's SQL record of which chunk ids were written.

An index run keeps it in step with the store: records of vectors that are gone (a run
cut between LangChain's two deletes) and of articles no longer in the corpus are
deleted here, in statements of ``KEYS_PER_STATEMENT`` keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_core.documents import Document

from convqa.index.changes import Changes
from convqa.index.locations import record_db_url, record_namespace
from convqa.index.paging import batched
from convqa.settings import Settings

if TYPE_CHECKING:  # the store module imports the embedder and LangChain's wrapper
    from convqa.index.vectors import VectorStore


def record_manager(settings: Settings):
    """The persistent record manager (SQLite in the data directory)."""
    from langchain_classic.indexes import SQLRecordManager

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    manager = SQLRecordManager(namespace=record_namespace(settings), db_url=record_db_url(settings))
    manager.create_schema()
    return manager


def delete_records(manager, keys: list[str]) -> None:
    """Delete these records, 500 keys a statement (SQLite's bound-parameter limit)."""
    for part in batched(keys):
        manager.delete_keys(list(part))


def clear_records(manager) -> None:
    """Delete every record of the manager's namespace."""
    delete_records(manager, manager.list_keys())


def forget_lost_vectors(manager, changes: Changes) -> None:
    """Delete this indexer's records whose vectors are not in the store.

    LangChain's cleanup deletes vectors, then their records; a run killed in between
    leaves records of vectors that are gone, and index() would skip those chunks for good
    ("already indexed"). Without the record, the next index() adds them again.
    """
    delete_records(manager, sorted(k for k in changes.records if k not in changes.stored_ids))


def delete_gone(store: "VectorStore", manager, changes: Changes, docs: list[Document]) -> int:
    """Delete the vectors and records of this indexer's articles no longer in the corpus."""
    present = {str(doc.metadata.get("doc_id")) for doc in docs}
    keys = sorted(k for k, group in changes.records.items() if str(group) not in present)
    for part in batched(keys):
        # Vectors first, then records (LangChain's own order): a run cut in between leaves
        # records whose vectors are gone, and the next run deletes them again, harmlessly.
        store.collection.delete(ids=list(part))
        manager.delete_keys(list(part))
    return len(keys)
