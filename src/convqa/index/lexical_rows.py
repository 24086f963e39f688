"""The lexical index on disk: each chunk's text, metadata and analysed terms, by chunk id.

A SQLite file in the data directory holds one row per chunk with its French-analysed
terms (convqa.index.analyzer), so the Snowball analysis of a chunk runs once, when the
chunk first appears. An index run, or a process catching up with another's run on a
shared Chroma server, changes only the rows of chunks that came or went; BM25 is then
built in memory from the stored terms (convqa.index.lexical), with no re-analysis and no
text pulled back from the vector store. Every change is one transaction that also writes
the fingerprint of the ids, so a reader sees the previous rows or the new ones, never half.

Each row also holds the chunk's French analysis (convqa.analysis: tokens, lemmas,
dependency heads, typed mentions) as compact JSON, parsed in the same run as its terms and
written in the same transaction; questions read it and never parse a passage. Analyses
made by another parser version (``analysis_version``) are parsed again from the stored
text, the terms kept.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from convqa.analysis.storage import CACHE, Progress, analysis_version, decode, parse_encoded
from convqa.analysis.types import PassageAnalysis
from convqa.index.paging import batched

#: Bumped when the rows' meaning changes (analysis, indexed text): older files are rebuilt.
FORMAT_VERSION = "4"

#: (chunk id, text, metadata): what the lexical index is built from.
Row = tuple[str, str, dict[str, Any]]
#: Rows of the given chunk ids, read from wherever they live (the vector store).
Fetch = Callable[[list[str]], Iterable[Row]]


_COLUMNS = "id TEXT PRIMARY KEY, doc_id TEXT, indexer TEXT, text TEXT, meta TEXT, terms TEXT, analysis TEXT"


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
            conn.execute(f"CREATE TABLE IF NOT EXISTS rows ({_COLUMNS})")
            conn.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
            version = conn.execute("SELECT value FROM state WHERE key = 'version'").fetchone()
            if version is None or version[0] != FORMAT_VERSION:
                with conn:
                    conn.execute("DROP TABLE rows")
                    conn.execute(f"CREATE TABLE rows ({_COLUMNS})")
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

    def analyses(self, ids: Iterable[str]) -> dict[str, PassageAnalysis]:
        """The stored analysis of each given chunk that has one made by this parser version."""
        found, missing = CACHE.get(ids)
        if not missing:
            return found
        with self._connect() as conn:
            if conn is None or _state(conn, "analysis") != analysis_version():
                return found
            read = {}
            for part in batched(missing):
                read.update(
                    (i, decode(a))
                    for i, a in conn.execute(
                        f"SELECT id, analysis FROM rows WHERE analysis IS NOT NULL AND id IN ({','.join('?' * len(part))})",
                        part,
                    )
                )
        CACHE.put(read)
        return found | read

    def sync(
        self, target: Iterable[str], fetch: Fetch, *, analyse: bool = True, progress: Progress | None = None
    ) -> tuple[int, int]:
        """Make the rows cover exactly ``target``: drop the others, add the missing ones.

        Only the added chunks are fetched, analysed and (``analyse``) parsed, with the kept
        rows whose analysis is missing or from another parser version (``progress`` counts
        the parsed passages). Returns (added, removed). One transaction: the previous rows
        stay readable until it commits.
        """
        target = set(target)
        with self._connect(create=True) as conn:
            have = {r[0] for r in conn.execute("SELECT id FROM rows")}
            gone = sorted(have - target)
            missing = sorted(target - have)
            new_rows = _new_rows(fetch(missing) if missing else ())
            # A chunk deleted between listing and fetching (another process's run) is left
            # out, and the fingerprint says so: it no longer equals the store's revision,
            # so the next index run or revision change syncs again.
            target -= set(missing) - {r[0] for r in new_rows}
            stale = _unparsed(conn, have & target) if analyse else []
            if not gone and not new_rows and not stale and self.fingerprint() == fingerprint(list(target)):
                return 0, 0
            if analyse:  # parsed before the write transaction: readers are not held up
                parsed = parse_encoded([r[3] for r in new_rows] + [t for _, t in stale], progress)
                new_rows = [(*r[:6], a) for r, a in zip(new_rows, parsed)]
                reparsed = [(a, i) for (i, _), a in zip(stale, parsed[len(new_rows) :])]
            with conn:
                for part in batched(gone):
                    conn.execute(f"DELETE FROM rows WHERE id IN ({','.join('?' * len(part))})", part)
                conn.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?, ?, ?, ?)", new_rows)
                if analyse:
                    conn.executemany("UPDATE rows SET analysis = ? WHERE id = ?", reparsed)
                    conn.execute("INSERT OR REPLACE INTO state VALUES ('analysis', ?)", (analysis_version(),))
                conn.execute("INSERT OR REPLACE INTO state VALUES ('fingerprint', ?)", (fingerprint(list(target)),))
        return len(new_rows), len(gone)


def _state(conn: sqlite3.Connection, key: str) -> str | None:
    got = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return got[0] if got else None


def _new_rows(fetched: Iterable[Row]) -> list[tuple]:
    """Table rows of fetched chunks, with their analysed terms (no parse yet)."""
    # lazy: the analyser imports bm25s (seconds); only an update analyses, a status only reads
    from convqa.index.chunk_terms import terms_of

    return [
        (
            chunk_id,
            str(meta.get("doc_id", "")),
            meta.get("indexer"),
            text,
            json.dumps(meta, ensure_ascii=False),
            " ".join(terms_of(text, meta)),
            None,
        )
        for chunk_id, text, meta in fetched
    ]


def _unparsed(conn: sqlite3.Connection, kept: set[str]) -> list[tuple[str, str]]:
    """(id, text) of the kept rows to parse: no analysis yet, or one of another version."""
    if _state(conn, "analysis") not in (None, analysis_version()):
        query = "SELECT id, text FROM rows ORDER BY id"
    else:
        query = "SELECT id, text FROM rows WHERE analysis IS NULL ORDER BY id"
    return [(i, t) for i, t in conn.execute(query) if i in kept]
