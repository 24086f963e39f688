"""Follow-ups often continue where the previous answer was quoted: bring those passages in.

The previous answer's position comes from its first citation (article id and offsets),
carried by the conversation's structured history; no text search is needed, so this
also works when a chat model phrased the previous answer. Older history shapes give only
the previous answer's text: ``SaidPositions`` finds where it was quoted from first.
"""

from __future__ import annotations

import re
from dataclasses import replace

from convqa.index.view import IndexView
from convqa.retrieval.types import Passage, Query

#: How far around the previous quote (characters) passages count as its neighbours.
NEIGHBOUR_CHARS = 1500

_MARKERS = re.compile(r"\s*\[\d+\]")
#: The quotation of an answer that leads with its short answer: « short — « quote » [1] ».
_QUOTED = re.compile(r"[«“]\s*(.+?)\s*[»”]\s*$", re.S)


def quoted_words(answer: str) -> str:
    """The article's own words in an answer's text: its first line without the [n] markers,
    the quotation after a short answer, and no … where the quote was cut (an excerpt)."""
    text = _MARKERS.sub("", answer).strip().split("\n")[0].strip()
    inside = _QUOTED.search(text)
    if inside and " — " in text[: inside.start() + 3]:
        text = inside.group(1)
    return text.strip("… ").strip()


class SaidPositions:
    """A follow-up after answers known only by their text gets their positions, so that it
    works as after a structured turn."""

    def run(self, query: Query, index: IndexView) -> Query:
        """The query with ``said`` extended by where its ``said_texts`` were quoted from."""
        if not (query.context and query.said_texts):
            return query
        said = list(query.said)
        for text in query.said_texts:
            found = index.lexical.locate(quoted_words(text))
            if found is not None and found not in said:
                said.append(found)
        return replace(query, said=tuple(said)) if len(said) != len(query.said) else query


class NeighbourPassages:
    """Adds (or marks) the chunks around the previous answer's quote."""

    def __init__(self, chars: int = NEIGHBOUR_CHARS) -> None:
        self.chars = chars

    def run(self, query: Query, passages: list[Passage], index: IndexView) -> list[Passage]:
        """The passages, with ``signals["neighbour"] = 1`` on those near the previous quote."""
        near = query.near
        if near is None:
            return passages
        lexical = index.lexical
        by_id = {p.chunk_id: p for p in passages}
        floor = min((p.score for p in passages), default=0.0)
        for row in lexical.neighbours(near[0], near[1] - self.chars // 3, near[2] + self.chars):
            passage = by_id.get(lexical.ids[row])
            if passage is None:
                passage = Passage(lexical.ids[row], lexical.texts[row], lexical.metadatas[row], score=floor)
                passages.append(passage)
            passage.signals["neighbour"] = 1.0
        return passages
