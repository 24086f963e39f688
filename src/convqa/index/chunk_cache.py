"""Chunks of unchanged article files, remembered by content hash.

Reading, parsing and sentence-splitting (pysbd) every file of a large corpus costs far
more than the index run that then finds nothing to do. An article's chunks depend only
on its file's bytes, its path in the corpus folder (the article id comes from it), the
chunk sizes and the indexer's name: the hash of those keys a SQLite table in the data
directory holding the article's chunk documents and their ids, so an unchanged file is
recognised by hashing its bytes, without parsing or splitting it again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document

from convqa.corpus.loader import Article, load_corpus, read_article
from convqa.index.changes import chunk_ids
from convqa.index.paging import batched
from convqa.model.spec import chunk_max_words
from convqa.settings import Settings

#: Bumped when chunking or chunk metadata change, so that older entries are not used.
CACHE_VERSION = "2"  # 2: chunks carry the article's author

#: An article's chunk documents (what the index run makes of an Article).
Chunker = Callable[[Article], list[Document]]


@dataclass(frozen=True)
class ChunkedArticle:
    """One article file as the index run needs it: its id and its chunk documents (ids set)."""

    doc_id: str
    docs: list[Document]


def cache_path(settings: Settings) -> Path:
    """The chunk cache's SQLite file in the data directory."""
    return settings.data_dir / "chunks.sqlite"


class ChunkCache:
    """Looks files up by content hash; chunks and remembers the others."""

    def __init__(self, settings: Settings, chunker: Chunker) -> None:
        self.settings = settings
        self.chunker = chunker
        self.max_words = chunk_max_words(settings)  # resolved once: the model's size when unset
        self.hits = 0
        self.misses = 0
        self._seen: set[str] = set()
        self._new: dict[str, tuple[str, str]] = {}
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(cache_path(settings), timeout=60)
        self._conn.execute("CREATE TABLE IF NOT EXISTS chunks (key TEXT PRIMARY KEY, doc_id TEXT, docs TEXT)")

    def key(self, rel: str, data: bytes) -> str:
        """The cache key of a file: everything its chunk documents depend on."""
        s = self.settings
        digest = hashlib.sha256(json.dumps([CACHE_VERSION, rel, self.max_words, s.chunk_min_words, s.indexer]).encode())
        digest.update(data)
        return digest.hexdigest()

    def read(self, path: Path) -> ChunkedArticle:
        """One file's article id and chunks: from the cache when its bytes are known.

        Raises what ``read_article`` raises for an unreadable file (never cached).
        """
        root = self.settings.corpus_dir
        size = path.stat().st_size
        if size == 0 or size > self.settings.max_article_bytes:
            read_article(path, max_bytes=self.settings.max_article_bytes, root=root)  # raises the reason
        key = self.key(str(path.relative_to(root)), path.read_bytes())
        self._seen.add(key)
        row = self._conn.execute("SELECT doc_id, docs FROM chunks WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.hits += 1
            docs = [Document(id=i, page_content=t, metadata=m) for t, m, i in json.loads(row[1])]
            return ChunkedArticle(row[0], docs)
        self.misses += 1
        article = read_article(path, max_bytes=self.settings.max_article_bytes, root=root)
        docs = self.chunker(article)
        for doc, chunk_id in zip(docs, chunk_ids(docs)):
            doc.id = chunk_id
        payload = json.dumps([[d.page_content, d.metadata, d.id] for d in docs], ensure_ascii=False)
        self._new[key] = (article.doc_id, payload)
        return ChunkedArticle(article.doc_id, docs)

    def save(self) -> None:
        """Write the new entries and forget files no longer in the corpus (one transaction)."""
        with self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?)", [(k, d, p) for k, (d, p) in self._new.items()]
            )
            stale = [k for (k,) in self._conn.execute("SELECT key FROM chunks") if k not in self._seen]
            for part in batched(stale):
                self._conn.execute(f"DELETE FROM chunks WHERE key IN ({','.join('?' * len(part))})", part)
        self._new.clear()

    def close(self) -> None:
        """Close the database."""
        self._conn.close()


def load_chunked(settings: Settings, chunker: Chunker) -> tuple[list[ChunkedArticle], list[str], tuple[int, int]]:
    """Every readable article of the corpus as chunk documents, with the loader's warnings.

    Also returns (files answered from the cache, files chunked). The cache is updated
    when the folder has been read whole.
    """
    cache = ChunkCache(settings, chunker)
    try:
        articles, warnings = load_corpus(settings.corpus_dir, settings.max_article_bytes, read=cache.read)
        cache.save()
    finally:
        cache.close()
    return articles, warnings, (cache.hits, cache.misses)
