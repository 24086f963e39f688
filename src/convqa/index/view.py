"""What one question reads of the indexes, handed to every step of its pipeline.

The lexical index is swapped for a fresh one when the corpus changes (this process's
index run, or another process's on a shared store). A question takes one view when it
starts and every step reads that view, so the steps of one question never see two
different indexes and never call back into whoever keeps them current
(``convqa.index.follow.LexicalFollower``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from convqa.analysis.types import PassageAnalysis
from convqa.index.lexical import LexicalIndex
from convqa.index.lexical_rows import LexicalRows


@dataclass(frozen=True)
class IndexView:
    """The indexes as one question sees them."""

    #: The BM25 index over the same chunks as the vector store.
    lexical: LexicalIndex
    #: The store's revision this view was taken at (None: the store has none yet).
    revision: str | None = None
    #: The rows the lexical index was read from, with each chunk's French analysis.
    rows: LexicalRows | None = None

    def analyses(self, chunk_ids: Iterable[str]) -> dict[str, PassageAnalysis]:
        """The stored French analysis of each given chunk (parsed when it was indexed);
        a chunk without one (parsing off, or not yet parsed) is left out. Cached."""
        return self.rows.analyses(chunk_ids) if self.rows is not None else {}
