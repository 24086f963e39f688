"""Retrieval baselines that answer with spans, so the system's metrics apply to them.

- ``bm25``: the lexical index alone, over the system's own chunks;
- ``dense``: the vector store alone (one embedding, one Chroma query), same chunks;
- ``langchain_chroma``: what the LangChain RAG tutorial builds — RecursiveCharacterTextSplitter
  (chunk_size=1000, chunk_overlap=200, add_start_index=True) into a separate Chroma
  collection, queried with ``similarity_search(question, k)`` — with the same embedding
  model, so the comparison is about chunking and fusion, not the model.

None of them answers or quotes: their answer and quote metrics are reported as null.
"""

from __future__ import annotations

import time
from pathlib import Path

from convqa.corpus.loader import Article
from convqa.evaluation.metrics import Span
from convqa.model.embedder import Embedder

#: The LangChain RAG tutorial's splitter settings.
TUTORIAL_CHUNK_SIZE = 1000
TUTORIAL_CHUNK_OVERLAP = 200


def _span(metadata: dict, text: str) -> Span:
    start = int(metadata.get("start", 0))
    return Span(str(metadata.get("doc_id", "")), start, int(metadata.get("end", start + len(text))), len(text.split()))


def bm25_spans(assistant, question: str, k: int) -> list[Span]:
    """The top k chunks of the system's BM25 index alone."""
    lexical = assistant.lexical
    return [_span(lexical.metadatas[h.row], lexical.texts[h.row]) for h in lexical.search(question, k)]


def dense_spans(assistant, question: str, k: int) -> list[Span]:
    """The top k chunks of the system's vector store alone."""
    vector = assistant.embedder.encode_queries([question])[0]
    return [_span(h.metadata, h.text) for h in assistant.store.search(vector, k)]


class LangChainChroma:
    """The plain LangChain + Chroma tutorial pipeline, over the same article texts."""

    def __init__(self, embedder: Embedder, folder: Path, collection: str = "langchain-baseline") -> None:
        from langchain_chroma import Chroma

        self.store = Chroma(collection_name=collection, embedding_function=embedder, persist_directory=str(folder))
        self.chunks = 0
        self.index_seconds = 0.0
        self.misplaced = 0  # chunks whose start_index does not slice back to their text

    def build(self, articles: list[Article], batch: int = 256) -> None:
        """Split and add every article, as the tutorial does (timed into ``index_seconds``)."""
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        started = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=TUTORIAL_CHUNK_SIZE, chunk_overlap=TUTORIAL_CHUNK_OVERLAP, add_start_index=True
        )
        docs = splitter.split_documents(
            [Document(page_content=a.text, metadata={"doc_id": a.doc_id, "title": a.title}) for a in articles]
        )
        texts = {a.doc_id: a.text for a in articles}
        for doc in docs:
            start = doc.metadata["start_index"]
            if texts[doc.metadata["doc_id"]][start : start + len(doc.page_content)] != doc.page_content:
                self.misplaced += 1
        for i in range(0, len(docs), batch):  # Chroma caps the size of one write
            self.store.add_documents(docs[i : i + batch])
        self.chunks = len(docs)
        self.index_seconds = time.perf_counter() - started

    def spans(self, question: str, k: int) -> list[Span]:
        """``similarity_search(question, k)``, as spans of the articles."""
        out = []
        for doc in self.store.similarity_search(question, k=k):
            start = int(doc.metadata.get("start_index", -1))
            out.append(
                Span(
                    str(doc.metadata.get("doc_id", "")),
                    start,
                    start + len(doc.page_content),
                    len(doc.page_content.split()),
                )
            )
        return out
