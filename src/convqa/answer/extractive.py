"""Extractive answers: pick the sentences of the retrieved passages that answer best.

Without a language model, the answer is one or two sentences quoted verbatim from the
passages, each followed by the number of the citation it comes from. A sentence is scored
by how much of the question it covers (terms weighted by IDF, so rare words count more),
by the rank of its passage, and by a small cue for the kind of answer asked (a person,
a date, a number). When lexical evidence is weak (an English question on French text, a
paraphrase) the few candidate sentences are also compared with the question by the
embedding model. Passages are then ordered by their best sentence, so citation [1] is
the one the answer quotes. When the best evidence is too weak, the assistant abstains.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from convqa.answer.language import ABSTAIN
from convqa.answer.types import Citation
from convqa.index.analyzer import analyze
from convqa.index.lexical import LexicalIndex
from convqa.retrieval.hybrid import Passage

# Weights of a sentence's score; tuned on a split of PIAF questions (see `convqa eval`).
PRIOR_WEIGHT = 0.25  # the passage's fused retrieval score, relative to the best one
DENSE_WEIGHT = 0.30  # the passage's cosine with the question, rescaled from e5's range
COVERAGE_WEIGHT = 0.45
CUE_BONUS = 0.08
CONTEXT_WEIGHT = 0.35  # terms from earlier turns of the conversation
REPEAT_PENALTY = 1.0  # a sentence the conversation already gave: only as a last resort
# In a conversation the next answer tends to sit near the previous one in the article.
PROXIMITY_BONUS = 0.15
PROXIMITY_CHARS = 1500
# Below both of these the best passage is unrelated to the question: abstain.
MIN_DENSE = 0.80
MIN_COVERAGE = 0.34
DENSE_FALLBACK_BELOW = 0.5  # best coverage under which sentences are also embedded

_CUES = {
    "person": (re.compile(r"\b(qui|who|whom|whose)\b", re.I), re.compile(r"(?<![.!?]\s)\b[A-ZÉÈ][\wéèêëàâîïôöûüç'-]+(?:\s+[A-ZÉÈ][\wéèêëàâîïôöûüç'-]+)+")),
    "time": (re.compile(r"\b(quand|when|quelle année|what year|en quelle|date|depuis quand|siècle)\b", re.I), re.compile(r"\b(1[0-9]{3}|20[0-9]{2}|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|siècle)\b", re.I)),
    "number": (re.compile(r"\b(combien|how many|how much|quel nombre|nombre de)\b", re.I), re.compile(r"\d|\b(deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|soixante|cent|mille|dizaines?|centaines?|milliers?|millions?|milliards?)s?\b", re.I)),
}


@dataclass
class Candidate:
    """A sentence of a passage with its score."""

    passage: int  # index in the retrieved list
    start: int  # relative to the passage text
    end: int
    score: float
    coverage: float


class SentenceVectors:
    """Embeds candidate sentences on demand, remembering recent ones (bounded)."""

    def __init__(self, embedder, size: int = 20_000) -> None:
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def similarities(self, question_vector: np.ndarray, sentences: list[str]) -> np.ndarray:
        """Cosine similarity of each sentence with the question vector."""
        missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            for text, vec in zip(missing, self.embedder.encode_passages(missing)):
                self._cache[text] = vec
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return np.array([float(self._cache[s] @ question_vector) for s in sentences])


def dense_scale(similarity: float | None) -> float:
    """Map an e5 cosine to 0..1: related pairs sit between 0.75 and 0.90."""
    if similarity is None:
        return 0.0
    return max(0.0, min(1.0, (similarity - 0.75) / 0.15))


def _coverage(terms: list[str], weights: dict[str, float], sentence_terms: set[str]) -> float:
    total = sum(weights[t] for t in set(terms))
    if total <= 0:
        return 0.0
    return sum(weights[t] for t in set(terms) if t in sentence_terms) / total


def score_sentences(
    question: str,
    passages: list[Passage],
    lexical: LexicalIndex,
    *,
    context: str = "",
    question_vector: np.ndarray | None = None,
    sentence_vectors: SentenceVectors | None = None,
    language: str = "fr",
    already_said: list[str] | None = None,
    near: tuple[str, int, int] | None = None,
) -> list[Candidate]:
    """Every sentence of the passages, scored (see module docstring), best first.

    Sentences found in ``already_said`` (earlier answers of the conversation) are demoted:
    a follow-up question wants something new. ``near`` (article id, start, end) is where
    the previous answer was quoted: sentences close to it get a bonus.
    """
    if not passages:
        return []
    q_terms = analyze(question)
    c_terms = [t for t in analyze(context) if t not in q_terms] if context else []
    all_terms = list(dict.fromkeys(q_terms + c_terms))
    idf = dict(zip(all_terms, lexical.idf(all_terms))) if all_terms else {}
    weights = {t: idf.get(t, 0.0) * (1.0 if t in q_terms else CONTEXT_WEIGHT) for t in all_terms}
    cue = next((pattern for asked, pattern in _CUES.values() if asked.search(question)), None)
    top = max(p.score for p in passages) or 1.0

    candidates: list[Candidate] = []
    for i, passage in enumerate(passages):
        prior = PRIOR_WEIGHT * passage.score / top + DENSE_WEIGHT * dense_scale(passage.dense)
        for start, end in passage.sentence_spans():
            sentence = passage.text[start:end]
            coverage = _coverage(all_terms, weights, set(analyze(sentence)))
            bonus = CUE_BONUS if cue is not None and cue.search(sentence) else 0.0
            if already_said and any(sentence in earlier for earlier in already_said):
                bonus -= REPEAT_PENALTY
            elif near is not None and passage.doc_id == near[0]:
                absolute = passage.start + start
                distance = max(near[1] - (passage.start + end), absolute - near[2], 0)
                bonus += PROXIMITY_BONUS * max(0.0, 1.0 - distance / PROXIMITY_CHARS)
            candidates.append(Candidate(i, start, end, prior + COVERAGE_WEIGHT * coverage + bonus, coverage))

    best_coverage = max(c.coverage for c in candidates)
    if sentence_vectors is not None and question_vector is not None and (
        language != "fr" or best_coverage < DENSE_FALLBACK_BELOW
    ):
        # Lexical evidence is weak: let the embedding model judge the top passages' sentences.
        pool = [c for c in candidates if c.passage < 3 or passages[c.passage].extra.get("neighbour")]
        sims = sentence_vectors.similarities(question_vector, [passages[c.passage].text[c.start:c.end] for c in pool])
        for c, sim in zip(pool, sims):
            c.score += COVERAGE_WEIGHT * max(0.0, dense_scale(sim) - c.coverage)
    candidates.sort(key=lambda c: c.score, reverse=True)
    return candidates


def should_abstain(passages: list[Passage], candidates: list[Candidate]) -> bool:
    """True when neither the vectors nor the words tie the best passage to the question."""
    if not passages or not candidates:
        return True
    best_dense = max((p.dense or 0.0) for p in passages[:3])
    best_coverage = max(c.coverage for c in candidates)
    return bool(best_dense < MIN_DENSE and best_coverage < MIN_COVERAGE)


def compose(
    passages: list[Passage],
    candidates: list[Candidate],
    *,
    language: str = "fr",
    limit: int = 5,
    abstained: bool = False,
) -> tuple[str, list[Citation]]:
    """The answer text with [n] markers, and its numbered citations."""
    if abstained:
        return ABSTAIN.get(language, ABSTAIN["fr"]), []
    best_of: dict[int, Candidate] = {}
    for c in candidates:
        best_of.setdefault(c.passage, c)
    order = sorted(best_of, key=lambda i: best_of[i].score, reverse=True)[:limit]
    if order:
        head = best_of[order[0]]
        if len(passages[order[0]].text[head.start:head.end].split()) < 12:
            # A very short sentence rarely answers alone: quote the passage's next one too.
            following = [s for s in passages[order[0]].sentence_spans() if s[0] >= head.end]
            if following:
                head = best_of[order[0]] = Candidate(head.passage, head.start, following[0][1], head.score, head.coverage)
    citations = []
    for n, i in enumerate(order, 1):
        p, c = passages[i], best_of[i]
        citations.append(
            Citation(
                n=n,
                doc_id=p.doc_id,
                title=str(p.metadata.get("title", "")),
                source=str(p.metadata.get("source", "")),
                text=p.text,
                start=p.start,
                end=p.end,
                quote=p.text[c.start:c.end],
                quote_start=p.start + c.start,
                quote_end=p.start + c.end,
                score=round(float(c.score), 4),
            )
        )
    return f"{citations[0].quote} [1]", citations
