"""The lexical side of hybrid search: BM25 (bm25s) over French-analyzed chunks.

The index covers the vector store's chunks (same ids, same texts) and carries a
fingerprint of the ids so a reader can tell when it no longer matches the vector store.
Its rows live on disk with their analysed terms (convqa.index.lexical_rows); here BM25 is
built in memory from those terms, and ``updated()`` derives the next index from this one
without analysing the chunks it keeps again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np

from convqa.index.analyzer import analyze

# Re-exported: what BM25 sees of a chunk, kept where the lexical rows reach it without BM25.
from convqa.index.chunk_terms import indexed_text, terms_of  # noqa: F401

# Re-exported: the fingerprint is the lexical index's, kept where reading it costs no BM25 import.
from convqa.index.lexical_rows import fingerprint  # noqa: F401

# bm25s sets its own logger to DEBUG on import and logs every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass
class LexicalHit:
    """A BM25 hit: position in the index and its score."""

    row: int
    score: float


class LexicalIndex:
    """BM25 over chunk texts, with their ids, texts and metadata kept beside it."""

    def __init__(
        self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]], tokens: list[list[str]] | None = None
    ) -> None:
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self.tokens = tokens if tokens is not None else [terms_of(t, m) for t, m in zip(texts, metadatas)]
        self.fingerprint = fingerprint(ids)
        self._row = {chunk_id: i for i, chunk_id in enumerate(ids)}
        # Follow-ups look for an article's chunks: by article, not by scanning every row.
        self._by_doc: dict[str, list[int]] = defaultdict(list)
        for row, metadata in enumerate(metadatas):
            self._by_doc[str(metadata.get("doc_id"))].append(row)
        self._bm25: bm25s.BM25 | None = None
        self._vocab: set[str] = set()
        if ids:
            self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
            # Empty token lists are kept so that rows stay aligned with ids.
            self._bm25.index([t or ["\u0000"] for t in self.tokens], show_progress=False)
            self._vocab = set(self._bm25.vocab_dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, dict[str, Any], list[str]]]) -> "LexicalIndex":
        """An index over (id, text, metadata, terms) rows, in id order (as a fresh build)."""
        rows = sorted(rows, key=lambda r: r[0])
        return cls([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])

    def updated(
        self, removed: Iterable[str], added: Iterable[tuple[str, str, dict[str, Any], list[str]]]
    ) -> "LexicalIndex":
        """A new index without ``removed`` and with ``added`` rows; this one is left as it is.

        The kept chunks' terms are reused: only BM25's matrices are rebuilt. Threads still
        searching this index are unaffected.
        """
        removed = set(removed)
        kept = [
            (i, t, m, k) for i, t, m, k in zip(self.ids, self.texts, self.metadatas, self.tokens) if i not in removed
        ]
        return LexicalIndex.from_rows(kept + list(added))

    def __len__(self) -> int:
        return len(self.ids)

    def mentions(self, word: str | list[str], exclude: frozenset[str] = frozenset()) -> bool:
        """True when some passage (title included) holds one of ``word``'s analysed terms (or
        of these already analysed terms); passages of the articles in ``exclude`` do not
        count, as in retrieval."""
        terms = [t for t in (analyze(word) if isinstance(word, str) else word) if t in self._vocab]
        if not terms or not exclude:
            return bool(terms)
        # BM25's matrix is CSC, one column per term: its rows are the passages holding it.
        scores, vocab = self._bm25.scores, self._bm25.vocab_dict
        for term in terms:
            j = vocab[term]
            rows = scores["indices"][scores["indptr"][j] : scores["indptr"][j + 1]]
            if any(str(self.metadatas[r].get("doc_id")) not in exclude for r in rows):
                return True
        return False

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
            row
            for row in self._by_doc.get(doc_id, [])
            if int(self.metadatas[row].get("start", 0)) < end and int(self.metadatas[row].get("end", 0)) > start
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
