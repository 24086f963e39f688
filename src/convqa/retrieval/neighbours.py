"""Follow-ups often continue where the previous answer was quoted: bring those passages in.

The previous answer's position comes from its first citation (article id and offsets),
carried by the conversation's structured history; no text search is needed, so this
also works when a chat model phrased the previous answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from convqa.index.lexical import LexicalIndex
from convqa.retrieval.types import Passage, Query

#: How far around the previous quote (characters) passages count as its neighbours.
NEIGHBOUR_CHARS = 1500


_MARKERS = re.compile(r"\s*\[\d+\]")


def locate_said_texts(query: Query, lexical: LexicalIndex) -> None:
    """Older history shapes give only the previous answer's text: find where it was quoted
    from, so a follow-up after them works as after a structured turn."""
    for text in query.said_texts:
        found = lexical.locate(_MARKERS.sub("", text).strip().split("\n")[0])
        if found is not None and found not in query.said:
            query.said.append(found)


class NeighbourPassages:
    """Adds (or marks) the chunks around the previous answer's quote."""

    def __init__(self, index: Callable[[], LexicalIndex], chars: int = NEIGHBOUR_CHARS) -> None:
        self.index = index
        self.chars = chars

    def run(self, query: Query, passages: list[Passage]) -> list[Passage]:
        """The passages, with ``signals["neighbour"] = 1`` on those near the previous quote."""
        lexical = self.index()
        if query.context and query.said_texts:
            locate_said_texts(query, lexical)
        near = query.near
        if near is None:
            return passages
        by_id = {p.chunk_id: p for p in passages}
        floor = min((p.score for p in passages), default=0.0)
        for row in lexical.neighbours(near[0], near[1] - self.chars // 3, near[2] + self.chars):
            passage = by_id.get(lexical.ids[row])
            if passage is None:
                passage = Passage(lexical.ids[row], lexical.texts[row], lexical.metadatas[row], score=floor)
                passages.append(passage)
            passage.signals["neighbour"] = 1.0
        return passages
