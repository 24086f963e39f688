"""Reading a whole Chroma collection page by page, and cutting long key lists into batches.

A large store does not fit one ``get()``: every full read goes through ``pages``. Lists of
keys are cut by ``batched``: SQLite refuses statements with too many bound parameters,
hence ``KEYS_PER_STATEMENT``, used for the record manager, the lexical rows, the chunk
cache and the matching deletes in Chroma.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: Keys in one statement: under SQLite's limit on bound parameters.
KEYS_PER_STATEMENT = 500


def batched(items: Sequence[T], size: int = KEYS_PER_STATEMENT) -> Iterator[Sequence[T]]:
    """Consecutive slices of ``items``, ``size`` at most each (none for an empty sequence)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pages(collection: Any, include: list[str], page: int) -> Iterator[dict[str, Any]]:
    """Every record of a Chroma collection, as ``get()`` answers of ``page`` records each.

    The count is read once, first: records added meanwhile by another process are left to
    the next read.
    """
    total = collection.count()
    for offset in range(0, total, page):
        yield collection.get(include=include, limit=page, offset=offset)
