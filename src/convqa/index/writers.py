"""Index runs that write one collection take turns where they would otherwise race.

Several indexers (separate data directories, possibly separate machines) can fill one
collection on a Chroma server. Their embedding runs in parallel; two short steps may not:

- creating the record manager's table (two ``CREATE TABLE`` at once: one fails);
- the end of a run, which reads the whole store back to sync the sentence vectors,
  rebuild the lexical index and mark the store's revision. Run side by side, the last
  to mark could mark a snapshot taken before the other's chunks arrived.

Taking turns on the end of the run means the last run to finish reads the store after
every other run's writes, so the revision it marks describes the final store.

The lock lives where the indexers already meet: a PostgreSQL advisory lock in the
shared record database, or a lock file beside a shared SQLite file (one machine).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from convqa.errors import StoreError
from convqa.index.locations import collection_namespace, record_db_url
from convqa.settings import Settings

#: Seconds to wait for another indexer's turn before giving up with a one-line error.
WAIT_SECONDS = 600


def lock_key(settings: Settings) -> int:
    """A signed 64-bit advisory-lock key for the store and collection."""
    digest = hashlib.sha256(collection_namespace(settings).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def collection_turn(settings: Settings, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the collection's writer lock for the block (waits for another indexer's turn)."""
    url = record_db_url(settings)
    if url.startswith("postgresql"):
        with _advisory_lock(url, lock_key(settings), wait):
            yield
        return
    if url.startswith("sqlite:///"):
        from filelock import FileLock, Timeout

        lock = FileLock(str(Path(url.removeprefix("sqlite:///")).with_suffix(".writers.lock")))
        try:
            lock.acquire(timeout=wait)
        except Timeout as exc:
            raise StoreError("index_locked", lock=lock.lock_file) from exc
        try:
            yield
        finally:
            lock.release()
        return
    yield  # another database: the data directory's own lock is all there is


@contextmanager
def _advisory_lock(url: str, key: int, wait: float) -> Iterator[None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    # A connection of its own: the lock is held by the session, not by a transaction.
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"SET lock_timeout = '{int(wait * 1000)}ms'"))
            try:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            except Exception as exc:
                if "lock timeout" in str(exc):
                    raise StoreError("writer_locked") from exc
                raise
            conn.commit()
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
                except Exception:  # the server went away: the lock ended with the session
                    pass
    finally:
        engine.dispose()
