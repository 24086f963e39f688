"""The paging and batching helpers every full read and every bulk delete goes through."""

from __future__ import annotations

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from convqa.index.paging import KEYS_PER_STATEMENT, batched, pages

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def test_batches_cover_the_keys_in_order_without_overlap():
    keys = [f"k{i}" for i in range(1203)]
    parts = list(batched(keys))
    assert [len(p) for p in parts] == [KEYS_PER_STATEMENT, KEYS_PER_STATEMENT, 203]
    assert [k for p in parts for k in p] == keys
    assert list(batched([], 7)) == []
    assert list(batched([1, 2, 3], 2)) == [[1, 2], [3]]


def test_pages_read_every_record_of_a_collection_once(tmp_path):
    client = chromadb.PersistentClient(path=str(tmp_path), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("paged", embedding_function=None)
    ids = [f"c{i:03d}" for i in range(25)]
    collection.add(ids=ids, embeddings=[[float(i), 1.0] for i in range(25)], metadatas=[{"n": i} for i in range(25)])
    got = list(pages(collection, ["metadatas"], 10))
    assert [len(p["ids"]) for p in got] == [10, 10, 5]
    assert sorted(i for p in got for i in p["ids"]) == ids
    assert sorted(m["n"] for p in got for m in p["metadatas"]) == list(range(25))
    assert list(pages(client.get_or_create_collection("empty", embedding_function=None), [], 10)) == []
