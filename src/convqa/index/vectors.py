"""The dense side: a Chroma collection, embedded (PersistentClient) or on a Chroma server.

LangChain's ``Chroma`` wrapper is what the indexing API writes through; reads go to the
collection directly so that one question costs exactly one embedding and one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from convqa.index.chroma_client import open_client
from convqa.index.paging import batched, pages
from convqa.model.embedder import Embedder
from convqa.settings import Settings


@dataclass
class DenseHit:
    """A vector-store hit with its cosine similarity."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    similarity: float


def embedding_text(text: str, metadata: dict[str, Any]) -> str:
    """What a chunk is embedded as: its article's title, then the chunk.

    The stored document stays the exact chunk text (citations quote it); only the vector
    also knows which article the passage belongs to.
    """
    title = str(metadata.get("title") or "").strip()
    return f"{title}\n{text}" if title else text


def _titled_chroma():
    """langchain_chroma.Chroma whose vectors are computed from embedding_text()."""
    from langchain_chroma import Chroma

    class TitledChroma(Chroma):
        """Stores exact chunk texts, embeds them with their article's title.

        Writes go to ``target``, the chromadb collection opened through the public client
        API, rather than into the LangChain wrapper's private collection attribute.
        """

        def __init__(self, *args, target, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.target = target

        def add_documents(self, documents, ids=None, **kwargs):  # what LangChain's index() calls
            documents = list(documents)
            ids = list(ids) if ids is not None else [d.id for d in documents]
            vectors = self.embeddings.embed_documents([embedding_text(d.page_content, d.metadata) for d in documents])
            self.target.upsert(
                ids=ids,
                embeddings=vectors,
                documents=[d.page_content for d in documents],
                metadatas=[d.metadata or None for d in documents],
            )
            return ids

    return TitledChroma


class VectorStore:
    """One Chroma collection that records which embedding model filled it."""

    def __init__(self, settings: Settings, embedder: Embedder, client=None) -> None:
        self.settings = settings
        self.client = client or open_client(settings)
        self.embedder = embedder
        # What the vectors were computed from: the model, and whether titles were embedded.
        self.recipe = embedder.spec.recipe(settings.embed_titles)
        self.name = settings.collection
        self.collection = self.client.get_or_create_collection(
            self.name, metadata={"hnsw:space": "cosine", "convqa_model": self.recipe}, embedding_function=None
        )
        self._langchain = None

    @property
    def langchain(self):
        """LangChain's Chroma over the collection: what the indexing API writes through.

        Built on first use: answering reads the collection directly, and importing
        langchain_chroma would add a second to every ``convqa ask``.
        """
        if self._langchain is None:
            from langchain_chroma import Chroma

            wrapper = dict(
                client=self.client,
                collection_name=self.name,
                embedding_function=self.embedder,
                collection_metadata={"hnsw:space": "cosine", "convqa_model": self.recipe},
            )
            titled = self.settings.embed_titles
            self._langchain = _titled_chroma()(target=self.collection, **wrapper) if titled else Chroma(**wrapper)
        return self._langchain

    def revision(self) -> str | None:
        """Fingerprint of the chunk ids as the last complete index run left them.

        Read fresh from the store (one call) so that a process sees another's index runs.
        """
        metadata = self.client.get_collection(self.name).metadata or {}
        return metadata.get("convqa_revision")

    def mark_revision(self, revision: str) -> None:
        """Record, in the store itself, which set of chunks a complete index run produced."""
        # The distance function lives in the collection's configuration; restating it here is refused.
        metadata = {k: v for k, v in (self.collection.metadata or {}).items() if not k.startswith("hnsw:")}
        metadata |= {"convqa_model": self.recipe, "convqa_revision": revision}
        # Stores written by earlier versions kept the calibration here, which nothing read:
        # each process takes it from its model's spec (convqa.model.spec).
        metadata.pop("convqa_calibration", None)
        self.collection.modify(metadata=metadata)

    @property
    def model(self) -> str | None:
        """Embedding model that built the collection (None for an unmarked one)."""
        return (self.collection.metadata or {}).get("convqa_model")

    def reset(self) -> None:
        """Drop every vector (used when the embedding model changes)."""
        self.client.delete_collection(self.name)
        self.__init__(self.settings, self.embedder, self.client)

    def count(self) -> int:
        """Number of chunks stored."""
        return self.collection.count()

    def all(self, batch: int = 2000) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Every chunk's id, text and metadata (paged so a large store fits)."""
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        for got in pages(self.collection, ["documents", "metadatas"], batch):
            ids += got["ids"]
            texts += got["documents"]
            metas += [dict(m or {}) for m in got["metadatas"]]
        return ids, texts, metas

    def ids(self, batch: int = 20000) -> set[str]:
        """Every stored chunk id (no texts, no metadata: what syncing the other indexes diffs)."""
        found: set[str] = set()
        for got in pages(self.collection, [], batch):
            found.update(got["ids"])
        return found

    def rows(self, ids: list[str], batch: int = 2000) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of the given chunks (those still stored)."""
        out: list[tuple[str, str, dict[str, Any]]] = []
        for part in batched(ids, batch):
            got = self.collection.get(ids=list(part), include=["documents", "metadatas"])
            out += [(c, t, dict(m or {})) for c, t, m in zip(got["ids"], got["documents"], got["metadatas"])]
        return out

    def similarities(self, vector, ids: list[str]) -> dict[str, float]:
        """Cosine similarity of the question vector with given chunks (by stored vectors)."""
        if not ids:
            return {}
        import numpy as np

        got = self.collection.get(ids=ids, include=["embeddings"])
        q = np.asarray(vector, dtype=np.float32)
        return {i: float(np.asarray(e, dtype=np.float32) @ q) for i, e in zip(got["ids"], got["embeddings"])}

    def search(self, vector, k: int) -> list[DenseHit]:
        """The k nearest chunks to a question vector."""
        n = self.count()
        if n == 0:
            return []
        got = self.collection.query(
            query_embeddings=[list(map(float, vector))],
            n_results=min(k, n),
            include=["documents", "metadatas", "distances"],
        )
        return [
            DenseHit(chunk_id, text, dict(meta or {}), 1.0 - float(dist))
            for chunk_id, text, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
            )
        ]
