"""What one question reads of the indexes, handed to every step of its pipeline.

The lexical index is swapped for a fresh one when the corpus changes (this process's
index run, or another process's on a shared store). A question takes one view when it
starts and every step reads that view, so the steps of one question never see two
different indexes and never call back into whoever keeps them current
(``convqa.index.follow.LexicalFollower``).
"""

from __future__ import annotations

from dataclasses import dataclass

from convqa.index.lexical import LexicalIndex


@dataclass(frozen=True)
class IndexView:
    """The indexes as one question sees them."""

    #: The BM25 index over the same chunks as the vector store.
    lexical: LexicalIndex
    #: The store's revision this view was taken at (None: the store has none yet).
    revision: str | None = None
