"""Sentence vectors, computed once at index time and kept beside the passages.

The answer steps compare the question with every sentence of the retrieved passages.
Encoding those sentences at question time would cost a model pass per sentence; they
are encoded when their passage is indexed instead, into a second Chroma collection
(``<collection>-sentences``, one record per sentence, keyed by its chunk), and fetched
with one call per question. The collection follows the passages' collection: sentences
of new chunks are added and those of removed chunks deleted on every index run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np

from convqa.index.paging import batched, pages

#: Chunks whose sentences are encoded and written together.
BATCH_CHUNKS = 128


class SentenceIndex:
    """The sentence vectors of every indexed chunk."""

    def __init__(self, client: Any, collection: str, embedder: Any) -> None:
        self.client = client
        self.name = f"{collection}-sentences"
        self.embedder = embedder
        self.collection = client.get_or_create_collection(
            self.name, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    def reset(self) -> None:
        """Drop every vector (the embedding model changed)."""
        self.client.delete_collection(self.name)
        self.__init__(self.client, self.name.removesuffix("-sentences"), self.embedder)

    def chunk_ids(self, page: int = 5000) -> set[str]:
        """Chunks whose sentences are stored."""
        found: set[str] = set()
        for got in pages(self.collection, ["metadatas"], page):
            found.update(str(m.get("chunk_id")) for m in got["metadatas"] if m)
        return found

    def sync(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> tuple[int, int]:
        """Store the sentences of chunks not yet stored, delete those of vanished chunks.

        Returns (chunks added, chunks deleted). Safe to repeat after an interruption:
        records are keyed by chunk and position, so a re-run overwrites, never duplicates.
        """
        have = self.chunk_ids()
        wanted = set(ids)
        gone = sorted(have - wanted)
        for part in batched(gone):
            self.collection.delete(where={"chunk_id": {"$in": list(part)}})
        todo = [(c, t, m) for c, t, m in zip(ids, texts, metadatas) if c not in have]
        for part in batched(todo, BATCH_CHUNKS):
            self._add(part)
        return len(todo), len(gone)

    def update(self, added: Iterable[tuple[str, str, dict]], removed: Iterable[str]) -> tuple[int, int]:
        """Store the sentences of ``added`` chunks and delete those of ``removed`` ones.

        What an index run changed, when the store's sentences were complete before it
        (``sync`` instead lists every stored sentence). Returns (chunks added, deleted).
        """
        added, removed = list(added), sorted(removed)
        for part in batched(removed):
            self.collection.delete(where={"chunk_id": {"$in": list(part)}})
        for part in batched(added, BATCH_CHUNKS):
            self._add(part)
        return len(added), len(removed)

    def _add(self, chunks: Iterable[tuple[str, str, dict]]) -> None:
        record_ids, sentences, metas = [], [], []
        for chunk_id, text, metadata in chunks:
            for n, (start, end) in enumerate(json.loads(metadata.get("sentences") or "[]") or [[0, len(text)]]):
                record_ids.append(f"{chunk_id}:{n}")
                sentences.append(text[start:end])
                metas.append({"chunk_id": chunk_id, "n": n})
        if record_ids:
            vectors = self.embedder.encode_passages(sentences)
            self.collection.upsert(ids=record_ids, embeddings=vectors.tolist(), metadatas=metas)

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """Each chunk's sentence vectors, in sentence order (chunks not stored are absent)."""
        if not chunk_ids:
            return {}
        query = {"where": {"chunk_id": {"$in": list(chunk_ids)}}, "include": ["embeddings", "metadatas"]}
        try:
            got = self.collection.get(**query)
        except Exception:  # dropped and re-created by an index run (model change): reopen once
            self.collection = self.client.get_or_create_collection(
                self.name, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
            got = self.collection.get(**query)
        rows: dict[str, dict[int, np.ndarray]] = {}
        for meta, vector in zip(got["metadatas"], got["embeddings"]):
            rows.setdefault(str(meta["chunk_id"]), {})[int(meta["n"])] = np.asarray(vector, dtype=np.float32)
        return {c: np.stack([v[n] for n in sorted(v)]) for c, v in rows.items() if sorted(v) == list(range(len(v)))}
