"""Where one collection's indexes and records live, derived from settings alone.

Kept apart from convqa.index.catalog so that the fault translation (convqa.index.faults),
which names the record database, and the catalog, which translates faults, both read it
without importing each other.
"""

from __future__ import annotations

from pathlib import Path

from convqa.settings import Settings


def lexical_path(settings: Settings) -> Path:
    """Where the lexical index's rows (texts and analysed terms) of the configured collection live."""
    return settings.data_dir / f"lexical-{settings.collection}.sqlite"


def record_db_url(settings: Settings) -> str:
    """The record manager's SQLAlchemy URL (SQLite in the data directory by default)."""
    return settings.record_db_url or f"sqlite:///{(settings.data_dir / 'records.sqlite').resolve()}"


def collection_namespace(settings: Settings) -> str:
    """The record namespace of the store and collection (the only indexer's own)."""
    return f"chroma/{settings.chroma_url or 'embedded'}/{settings.collection}"


def record_namespace(settings: Settings) -> str:
    """The record manager's namespace: one per store, collection and indexer.

    A full cleanup deletes every record of its namespace that the run did not see; with
    one namespace per indexer (``settings.indexer``), an indexer never deletes the
    articles of another indexing a different corpus folder into the same collection.
    """
    base = collection_namespace(settings)
    return f"{base}/{settings.indexer}" if settings.indexer else base
