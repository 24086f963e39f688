"""Hand-built articles and passages for the answer steps' unit tests (no model, no store)."""

from __future__ import annotations

import json
import re

from convqa.answer.reading import SentenceCandidate
from convqa.index.lexical import LexicalIndex, terms_of
from convqa.retrieval.types import Passage

BRIDGE = (
    "Le pont de Millau a été inauguré en décembre 2004 par le président de la République. "
    "Il a coûté 400 millions d'euros, financés entièrement par le concessionnaire Eiffage pour soixante-quinze ans. "
    "Court et clair. "
    "Sa pile la plus haute mesure 245 mètres, ce qui en fait le pont à haubans le plus haut du monde."
)
PORT = (
    "Le port de Marseille a traité 77 millions de tonnes de marchandises en 2023. "
    "Son directeur, Hervé Martel, vise 80 millions de tonnes en 2025."
)
#: The port article with a first sentence too long to quote whole in an answer.
LONG_PORT = PORT.replace(
    "en 2023.", "en 2023, " + "selon le rapport annuel publié par la direction du port " * 3 + "cette année-là."
)
ARTICLES = {"pont-millau": BRIDGE, "port-marseille": PORT, "port-long": LONG_PORT}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a text, each from its first character to its full stop (as the
    chunker stores them, relative to the passage)."""
    return [(m.start(), m.end()) for m in re.finditer(r"\S[^.]*\.", text)]


def passage(
    doc_id: str, start: int = 0, end: int | None = None, *, score: float = 1.0, dense: float | None = None
) -> Passage:
    """The chunk ``ARTICLES[doc_id][start:end]`` with its offsets and sentence spans."""
    article = ARTICLES[doc_id]
    end = len(article) if end is None else end
    text = article[start:end]
    metadata = {
        "doc_id": doc_id,
        "title": doc_id.replace("-", " ").title(),
        "source": f"https://example.org/{doc_id}",
        "start": start,
        "end": end,
        "sentences": json.dumps(sentence_spans(text)),
    }
    return Passage(f"{doc_id}:{start}", text, metadata, score=score, signals={} if dense is None else {"dense": dense})


def sentence(passages: list[Passage], index: int, containing: str, score: float) -> SentenceCandidate:
    """The candidate sentence of ``passages[index]`` that contains ``containing``."""
    p = passages[index]
    for s, e in p.sentence_spans():
        if containing in p.text[s:e]:
            return SentenceCandidate(index, p.doc_id, p.start + s, p.start + e, p.text[s:e], score=score)
    raise ValueError(containing)


def lexical_over(passages: list[Passage]) -> LexicalIndex:
    """A real BM25 index over these passages, built from rows as the indexer writes them."""
    return LexicalIndex.from_rows((p.chunk_id, p.text, p.metadata, terms_of(p.text, p.metadata)) for p in passages)
