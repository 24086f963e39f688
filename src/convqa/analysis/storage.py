"""A passage's analysis as compact JSON, for the rows stored beside each chunk.

Lists instead of objects (a token is ``[start, end, lemma, pos, dep, head]``, a mention
``[start, end, kind, head_lemma, dep]``) keep a chunk's analysis to a few kilobytes. Decoded
analyses are kept in a process-wide cache by chunk id: a chunk's text never changes under
its id, so neither does its analysis, and a question reads the same few dozen chunks that
the previous one read.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from convqa.analysis.types import Mention, PassageAnalysis, Token

#: Bumped when the parser's output changes (its model, its mention rules): stored analyses
#: made under another version are parsed again (the lexical terms are kept).
RULES = "1"

#: progress(done, total): passages parsed so far, of those to parse.
Progress = Callable[[int, int], None]


def analysis_version() -> str:
    """The version stamp of the stored analyses: the parser's model and its rules."""
    # lazy: convqa.analysis.french names the model without importing spaCy
    from convqa.analysis.french import MODEL

    return f"{MODEL}:{RULES}"


def encode(analysis: PassageAnalysis) -> str:
    """Compact JSON of one analysis."""
    return json.dumps(
        {
            "t": [[t.start, t.end, t.lemma, t.pos, t.dep, t.head] for t in analysis.tokens],
            "m": [[m.start, m.end, m.kind, m.head_lemma, m.dep] for m in analysis.mentions],
            "s": [list(s) for s in analysis.sentences],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(text: str) -> PassageAnalysis:
    """The analysis written by ``encode``."""
    data = json.loads(text)
    return PassageAnalysis(
        tokens=tuple(Token(*t) for t in data["t"]),
        mentions=tuple(Mention(*m) for m in data["m"]),
        sentences=tuple((a, b) for a, b in data["s"]),
    )


def parse_encoded(texts: list[str], progress: Progress | None = None) -> list[str]:
    """The encoded analysis of each text, parsing with spaCy (loaded on first use)."""
    # lazy: spaCy and its model load only in a process that has passages to parse
    from convqa.analysis.french import BATCH, iter_parse

    out: list[str] = []
    for analysis in iter_parse(texts):
        out.append(encode(analysis))
        if progress is not None and len(out) % BATCH == 0:
            progress(len(out), len(texts))
    if progress is not None and texts:
        progress(len(texts), len(texts))
    return out


class AnalysisCache:
    """Decoded analyses by chunk id, least recently used dropped past ``size``; thread-safe."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[str, PassageAnalysis] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ids: Iterable[str]) -> tuple[dict[str, PassageAnalysis], list[str]]:
        """(the cached analyses of ``ids``, the ids not cached)."""
        found, missing = {}, []
        with self._lock:
            for chunk_id in ids:
                hit = self._items.get(chunk_id)
                if hit is None:
                    missing.append(chunk_id)
                else:
                    self._items.move_to_end(chunk_id)
                    found[chunk_id] = hit
        return found, missing

    def put(self, items: dict[str, PassageAnalysis]) -> None:
        """Keep ``items``."""
        with self._lock:
            self._items.update(items)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


#: Shared by every view of this process (chunk ids are content hashes).
CACHE = AnalysisCache()
