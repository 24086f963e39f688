"""Candidate answer sentences: every sentence of the retrieved passages, with the cheap
signals that say whether it answers (no trained model involved).

- coverage: how much of the question's words it holds, weighted by IDF (rare words
  count more), the previous question's words counting for less;
- cue: it holds the kind of thing asked (a name for "qui", a date for "quand", a number
  for "combien");
- in a conversation: closeness to the previous answer's quote, whether it *is* a
  sentence the conversation already gave (``given``; ``repeat`` when the question follows
  up, to rank it last), and its coverage of this question's own words
  (``own``), which says whether it supports this answer rather than the previous one.

The passage's own standing (its fused score and cosine) and the weights that combine these
signals are the pre-rank's, in ``answer/prerank.py``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np

from convqa.answer.reading import SentenceCandidate
from convqa.index.analyzer import analyze
from convqa.index.lexical import LexicalIndex
from convqa.retrieval.types import Passage, Query

CONTEXT_WEIGHT = 0.35  # terms from the previous question
PROXIMITY_CHARS = 1500

_CUES = {
    "person": (
        re.compile(r"\b(qui|who|whom|whose)\b", re.I),
        re.compile(r"(?<![.!?]\s)\b[A-ZÉÈ][\wéèêëàâîïôöûüç'-]+(?:\s+[A-ZÉÈ][\wéèêëàâîïôöûüç'-]+)+"),
    ),
    "time": (
        re.compile(r"\b(quand|when|quelle année|what year|en quelle|date|depuis quand|siècle)\b", re.I),
        re.compile(
            r"\b(1[0-9]{3}|20[0-9]{2}|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|siècle)\b",
            re.I,
        ),
    ),
    "number": (
        re.compile(r"\b(combien|how many|how much|quel nombre|nombre de)\b", re.I),
        re.compile(
            r"\d|\b(deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|soixante|cent|mille|dizaines?|centaines?|milliers?|millions?|milliards?)s?\b",
            re.I,
        ),
    ),
}


def _coverage(terms: list[str], weights: dict[str, float], sentence_terms: set[str]) -> float:
    total = sum(weights[t] for t in set(terms))
    if total <= 0:
        return 0.0
    return sum(weights[t] for t in set(terms) if t in sentence_terms) / total


def sentence_candidates(query: Query, passages: list[Passage], lexical: LexicalIndex) -> list[SentenceCandidate]:
    """Every sentence of the passages with its lexical and conversational signals."""
    q_terms = analyze(query.text)
    c_terms = [t for t in analyze(query.context) if t not in q_terms] if query.context else []
    all_terms = list(dict.fromkeys(q_terms + c_terms))
    idf = dict(zip(all_terms, lexical.idf(all_terms))) if all_terms else {}
    weights = {t: idf.get(t, 0.0) * (1.0 if t in q_terms else CONTEXT_WEIGHT) for t in all_terms}
    cue = next((pattern for asked, pattern in _CUES.values() if asked.search(query.text)), None)
    near, said = query.near, query.said

    candidates = []
    for i, passage in enumerate(passages):
        for start, end in passage.sentence_spans():
            sentence = passage.text[start:end]
            a, b = passage.start + start, passage.start + end
            features = {"cue": float(cue is not None and bool(cue.search(sentence)))}
            sentence_terms = set(analyze(sentence))
            if query.context:
                features["own"] = _coverage(q_terms, weights, sentence_terms)
            # Overlap, not containment: an answer known by its text may quote an excerpt.
            given = any(doc == passage.doc_id and s < b and a < e for doc, s, e in said) or any(
                sentence in text for text in query.said_texts
            )
            if given:  # the conversation already quoted it: not cited again as support
                features["given"] = 1.0
            if given and query.context:
                features["repeat"] = 1.0
            elif near is not None and passage.doc_id == near[0]:
                distance = max(near[1] - b, a - near[2], 0)
                features["proximity"] = max(0.0, 1.0 - distance / PROXIMITY_CHARS)
            candidates.append(
                SentenceCandidate(
                    i, passage.doc_id, a, b, sentence, _coverage(all_terms, weights, sentence_terms), features
                )
            )
    return candidates


class SentenceVectors:
    """Sentence vectors by text: stored ones fetched per passage, others encoded on demand,
    all remembered (bounded)."""

    def __init__(self, embedder, stored=None, size: int = 20_000) -> None:
        self.embedder = embedder
        self.stored = stored  # a convqa.index.sentences.SentenceIndex, or None
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, pairs) -> None:
        with self._lock:
            for text, vec in pairs:
                self._cache[text] = vec
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)

    def prefetch(self, passages: list[Passage]) -> None:
        """Load the stored vectors of these passages' sentences (one store call)."""
        if self.stored is None:
            return
        with self._lock:
            todo = [p for p in passages if any(p.text[s:e] not in self._cache for s, e in p.sentence_spans())]
        found = self.stored.vectors([p.chunk_id for p in todo]) if todo else {}
        for p in todo:
            vectors, spans = found.get(p.chunk_id), p.sentence_spans()
            if vectors is not None and len(vectors) == len(spans):
                self._remember((p.text[s:e], v) for (s, e), v in zip(spans, vectors))

    def similarities(self, question_vector: np.ndarray, sentences: list[str]) -> np.ndarray:
        """Cosine similarity of each sentence with the question vector."""
        with self._lock:
            missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            self._remember(zip(missing, self.embedder.encode_passages(missing)))
        with self._lock:
            vectors = [self._cache.get(s) for s in sentences]
        if any(v is None for v in vectors):  # evicted meanwhile by another question: encode again
            vectors = list(self.embedder.encode_passages(sentences))
        return np.array([float(v @ question_vector) for v in vectors])
