"""The lexical index on disk: each chunk's text, metadata and analysed terms, by chunk id.

A SQLite file in the data directory holds one row per chunk with its French-analysed
terms (convqa.index.analyzer), so the Snowball analysis of a chunk runs once, when the
chunk first appears. An index run, or a process catching up with another's run on a
shared Chroma server, changes only the rows of chunks that came or went; BM25 is then
built in memory from the stored terms (convqa.index.lexical), with no re-analysis and no
text pulled back from the vector store. Every change is one transaction that also writes
the fingerprint of the ids, so a reader sees the previous rows or the new ones, never half.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from convqa.index.paging import batched

#: Bumped when the rows' meaning changes (analysis, indexed text): older files are rebuilt.
FORMAT_VERSION = "3"

#: (chunk id, text, metadata): what the lexical index is built from.
Row = tuple[str, str, dict[str, Any]]
#: Rows of the given chunk ids, read from wherever they live (the vector store).
Fetch = Callable[[list[str]], Iterable[Row]]


def fingerprint(ids: list[str]) -> str:
    """Order-independent digest of a set of chunk ids."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
        digest.update(b"\n")
    return f"{len(ids)}:{digest.hexdigest()[:32]}"


class LexicalRows:
    """The chunk rows of one collection's lexical index, in a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection | None]:
        if not create and not self.path.is_file():
            yield None  # never written: reading must not create an empty file
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The timeout covers another process's write transaction (an index run).
        with closing(sqlite3.connect(self.path, timeout=60)) as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, doc_id TEXT, indexer TEXT, text TEXT, meta TEXT, terms TEXT)"
            )
            conn.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
            version = conn.execute("SELECT value FROM state WHERE key = 'version'").fetchone()
            if version is None or version[0] != FORMAT_VERSION:
                with conn:
                    conn.execute("DROP TABLE rows")
                    conn.execute(
                        "CREATE TABLE rows (id TEXT PRIMARY KEY, doc_id TEXT, indexer TEXT, text TEXT, meta TEXT, terms TEXT)"
                    )
                    conn.execute("DELETE FROM state")
                    conn.execute("INSERT INTO state VALUES ('version', ?)", (FORMAT_VERSION,))
            yield conn

    def fingerprint(self) -> str | None:
        """Fingerprint of the ids the rows cover (as written with them), or None."""
        with self._connect() as conn:
            if conn is None:
                return None
            got = conn.execute("SELECT value FROM state WHERE key = 'fingerprint'").fetchone()
            return got[0] if got else None

    def ids(self) -> set[str]:
        """Every chunk id with a row."""
        with self._connect() as conn:
            return set() if conn is None else {r[0] for r in conn.execute("SELECT id FROM rows")}

    def doc_ids(self) -> list[str]:
        """The article id of every row (for counts, without reading texts)."""
        with self._connect() as conn:
            return [] if conn is None else [r[0] for r in conn.execute("SELECT doc_id FROM rows")]

    def owners(self) -> dict[str, dict[str, str | None]]:
        """Each row's chunk id with its article id and indexer (the metadata an index run plans with)."""
        with self._connect() as conn:
            if conn is None:
                return {}
            return {i: {"doc_id": d, "indexer": x} for i, d, x in conn.execute("SELECT id, doc_id, indexer FROM rows")}

    def read(self, ids: Iterable[str] | None = None) -> list[tuple[str, str, dict[str, Any], list[str]]]:
        """(id, text, metadata, terms) of the given chunks (all when None), ordered by id."""
        # One string object per distinct term: 100,000 chunks hold some 12 million terms,
        # and separate copies of each made the loaded index several times larger.
        terms_of: dict[str, str] = {}

        def split(terms: str) -> list[str]:
            return [terms_of.setdefault(t, t) for t in terms.split(" ")] if terms else []

        with self._connect() as conn:
            if conn is None:
                return []
            if ids is None:
                cursor = conn.execute("SELECT id, text, meta, terms FROM rows ORDER BY id")
                return [(i, t, json.loads(m), split(terms)) for i, t, m, terms in cursor]
            wanted = sorted(ids)
            got = []
            for part in batched(wanted):  # SQLite's limit on bound parameters
                got += conn.execute(
                    f"SELECT id, text, meta, terms FROM rows WHERE id IN ({','.join('?' * len(part))})", part
                ).fetchall()
            got.sort()
        return [(i, t, json.loads(m), split(terms)) for i, t, m, terms in got]

    def sync(self, target: Iterable[str], fetch: Fetch) -> tuple[int, int]:
        """Make the rows cover exactly ``target``: drop the others, add the missing ones.

        Only the added chunks are fetched and analysed. Returns (added, removed). One
        transaction: the previous rows stay readable until it commits.
        """
        target = set(target)
        with self._connect(create=True) as conn:
            have = {r[0] for r in conn.execute("SELECT id FROM rows")}
            gone = sorted(have - target)
            missing = sorted(target - have)
            # lazy: the analyser imports bm25s (seconds); only an update analyses, a status only reads
            from convqa.index.chunk_terms import terms_of

            new_rows = []
            for chunk_id, text, meta in fetch(missing) if missing else ():
                terms = terms_of(text, meta)
                new_rows.append(
                    (
                        chunk_id,
                        str(meta.get("doc_id", "")),
                        meta.get("indexer"),
                        text,
                        json.dumps(meta, ensure_ascii=False),
                        " ".join(terms),
                    )
                )
            # A chunk deleted between listing and fetching (another process's run) is left
            # out, and the fingerprint says so: it no longer equals the store's revision,
            # so the next index run or revision change syncs again.
            target -= set(missing) - {r[0] for r in new_rows}
            if not gone and not new_rows and self.fingerprint() == fingerprint(list(target)):
                return 0, 0
            with conn:
                for part in batched(gone):
                    conn.execute(f"DELETE FROM rows WHERE id IN ({','.join('?' * len(part))})", part)
                conn.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?, ?, ?)", new_rows)
                conn.execute("INSERT OR REPLACE INTO state VALUES ('fingerprint', ?)", (fingerprint(list(target)),))
        return len(new_rows), len(gone)
