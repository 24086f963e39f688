"""The lexical side of hybrid search: BM25 (bm25s) over French-analyzed chunks.

The index is derived from the vector store's contents (same ids, same texts), saved as
one JSON file replaced atomically, and carries a fingerprint of the ids it covers so a
reader can tell when it no longer matches the vector store and must be rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

# bm25s sets its own logger to DEBUG on import and logs every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)

from convqa.index.analyzer import analyze

FORMAT_VERSION = 1


def fingerprint(ids: list[str]) -> str:
    """Order-independent digest of a set of chunk ids."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
        digest.update(b"\n")
    return f"{len(ids)}:{digest.hexdigest()[:32]}"


@dataclass
class LexicalHit:
    """A BM25 hit: position in the index and its score."""

    row: int
    score: float


class LexicalIndex:
    """BM25 over chunk texts, with their ids, texts and metadata kept beside it."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]],
                 tokens: list[list[str]] | None = None) -> None:
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self.tokens = tokens if tokens is not None else [analyze(self._indexed_text(t, m)) for t, m in zip(texts, metadatas)]
        self.fingerprint = fingerprint(ids)
        self._row = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self._bm25: bm25s.BM25 | None = None
        self._vocab: set[str] = set()
        if ids:
            self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
            # Empty token lists are kept so that rows stay aligned with ids.
            self._bm25.index([t or ["\u0000"] for t in self.tokens], show_progress=False)
            self._vocab = set(self._bm25.vocab_dict)

    @staticmethod
    def _indexed_text(text: str, metadata: dict[str, Any]) -> str:
        # The title is indexed with the passage: questions often name the article's subject.
        return f"{metadata.get('title', '')}\n{text}"

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str | list[str], k: int = 30) -> list[LexicalHit]:
        """Best k rows for a question (or its already analyzed terms), score > 0 only."""
        if self._bm25 is None:
            return []
        terms = analyze(query) if isinstance(query, str) else query
        terms = [t for t in terms if t in self._vocab]
        if not terms:
            return []
        k = min(k, len(self.ids))
        rows, scores = self._bm25.retrieve([terms], k=k, show_progress=False, n_threads=1)
        return [LexicalHit(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    def locate(self, text: str) -> tuple[str, int, int] | None:
        """(article id, start, end) of a verbatim excerpt of a chunk, or None.

        Only for history sent in older shapes (answer text without citations): structured
        turns carry their positions.
        """
        text = text.strip()
        if not text:
            return None
        for chunk_text, metadata in zip(self.texts, self.metadatas):
            at = chunk_text.find(text)
            if at >= 0:
                start = int(metadata.get("start", 0)) + at
                return str(metadata.get("doc_id", "")), start, start + len(text)
        return None

    def neighbours(self, doc_id: str, start: int, end: int) -> list[int]:
        """Rows of the chunks of an article that overlap [start, end)."""
        return [
            row for row, m in enumerate(self.metadatas)
            if m.get("doc_id") == doc_id and int(m.get("start", 0)) < end and int(m.get("end", 0)) > start
        ]

    def idf(self, terms: list[str]) -> np.ndarray:
        """Inverse document frequency of each term (0 for unknown terms)."""
        if self._bm25 is None:
            return np.zeros(len(terms))
        n = len(self.ids)
        out = np.zeros(len(terms))
        vocab = self._bm25.vocab_dict
        doc_freqs = self._doc_freqs()
        for i, term in enumerate(terms):
            j = vocab.get(term)
            df = doc_freqs[j] if j is not None and j < len(doc_freqs) else 0
            out[i] = np.log(1 + (n - df + 0.5) / (df + 0.5))
        return out

    def _doc_freqs(self) -> np.ndarray:
        if not hasattr(self, "_df"):
            indptr = self._bm25.scores["indptr"]
            self._df = np.diff(indptr)  # CSC: one column per term → number of docs
        return self._df

    # -- persistence -------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write atomically: readers see the old file or the new one, never half of it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "rows": [[i, t, m, tok] for i, t, m, tok in zip(self.ids, self.texts, self.metadatas, self.tokens)],
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lexical-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex | None":
        """The saved index, or None when missing, unreadable or of another format."""
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if payload.get("version") != FORMAT_VERSION:
            return None
        rows = payload["rows"]
        return cls([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
