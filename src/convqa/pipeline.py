"""A question's route, step by step, each step an object with one ``run`` method:

    question + history ─► Query (validated, language, follow-up context, vector)
      ─► retrievers (dense, lexical)         each: Query → list[Passage]
      ─► fusion                              list[list[Passage]] → list[Passage]
      ─► dense scores, conversation neighbours   (Query, passages) → passages
      ─► answer step (reader or sentences)   (Query, passages, IndexView) → Reading
      ─► composer                            Reading → Answer with citations

Steps are chosen by name in Settings (``retrievers``, ``answerer``); a name may also be
``"package.module:Class"``, constructed with the pipeline's ``Resources``, so trying a new
retriever or answer step is a settings change plus a class.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from convqa.answer.candidates import SentenceVectors
from convqa.answer.compose import Composer
from convqa.answer.reading import Reading
from convqa.answer.types import Answer
from convqa.calibration import Calibration
from convqa.conversation import Turn
from convqa.index.embedder import Embedder
from convqa.index.lexical import LexicalIndex
from convqa.index.view import IndexView
from convqa.index.vectors import VectorStore
from convqa.question import make_query
from convqa.retrieval.dense import DenseRetriever, DenseScores
from convqa.retrieval.fusion import RRFFusion
from convqa.retrieval.lexical import LexicalRetriever
from convqa.retrieval.neighbours import NeighbourPassages
from convqa.retrieval.types import Passage, Query
from convqa.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Resources:
    """What steps may use: loaded once by the Assistant and shared by every question."""

    settings: Settings
    embedder: Embedder
    store: VectorStore
    lexical: Callable[[], LexicalIndex]
    sentence_vectors: SentenceVectors
    calibration: Calibration


class Retriever(Protocol):
    """Query → passages, best first."""

    def run(self, query: Query) -> list[Passage]: ...


class AnswerStep(Protocol):
    """(Query, passages, IndexView) → Reading: which sentences answer, and whether any does."""

    def run(self, query: Query, passages: list[Passage], index: IndexView) -> Reading: ...


def _sentences(r: Resources) -> AnswerStep:
    from convqa.answer.sentences import SentenceScorer

    return SentenceScorer(r.sentence_vectors, r.calibration)


def _reader(r: Resources) -> AnswerStep:
    from convqa.answer.reader_step import load_reader_step

    return load_reader_step(r, fallback=_sentences)


RETRIEVERS: dict[str, Callable[[Resources], Retriever]] = {
    "dense": lambda r: DenseRetriever(r.store, r.settings.candidates),
    "lexical": lambda r: LexicalRetriever(r.lexical, r.settings.candidates),
}
ANSWER_STEPS: dict[str, Callable[[Resources], AnswerStep]] = {"sentences": _sentences, "reader": _reader}


def build_step(name: str, registry: dict[str, Callable[[Resources], Any]], resources: Resources) -> Any:
    """A step by its registered name, or by ``module:Class`` (constructed with resources)."""
    if name in registry:
        return registry[name](resources)
    module, sep, attr = name.partition(":")
    if not sep:
        raise ValueError(f"unknown step {name!r}: use one of {', '.join(registry)} or 'module:Class'")
    return getattr(importlib.import_module(module), attr)(resources)


class Pipeline:
    """The question's route (see module docstring); thread-safe as long as its steps are."""

    def __init__(self, resources: Resources) -> None:
        settings = resources.settings
        self.resources = resources
        self.retrievers = {name: build_step(name, RETRIEVERS, resources) for name in settings.retrievers}
        self.fusion = RRFFusion(k=settings.rrf_k)
        self.dense_scores = DenseScores(resources.store)
        self.neighbours = NeighbourPassages(resources.lexical)
        self.answerer = build_step(settings.answerer, ANSWER_STEPS, resources)
        self.composer = Composer(settings.cite_min_relevance)

    def query(self, question: object, history: Sequence[Turn] = (), timings: dict | None = None) -> Query:
        """The validated, embedded Query (BadQuestionError for unusable input)."""
        query = make_query(question, history, self.resources.settings.max_question_chars)
        started = time.perf_counter()
        query.vector = self.resources.embedder.encode_queries([query.search_text])[0]
        if timings is not None:
            timings["embed_ms"] = (time.perf_counter() - started) * 1e3
        return query

    def retrieve(self, query: Query, limit: int = 8, timings: dict | None = None) -> list[Passage]:
        """Fused passages for an embedded query, with every passage's dense score."""
        rankings = []
        for name, retriever in self.retrievers.items():
            started = time.perf_counter()
            ranking = retriever.run(query)
            rankings.append([p for p in ranking if p.doc_id not in query.exclude] if query.exclude else ranking)
            if timings is not None:
                timings[f"{name}_ms"] = (time.perf_counter() - started) * 1e3
        passages = self.fusion.run(rankings, limit=limit)
        return self.dense_scores.run(query, self.neighbours.run(query, passages))

    def run(self, question: object, history: Sequence[Turn] = (), top_k: int | None = None,
            exclude: frozenset[str] = frozenset()) -> Answer:
        """Answer one question after ``history`` (``exclude``: article ids to leave out)."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        query = self.query(question, history, timings)
        query.exclude = exclude
        limit = max(1, min(int(top_k or self.resources.settings.top_k), 20))
        passages = self.retrieve(query, limit=max(limit, 8), timings=timings)
        t_answer = time.perf_counter()
        reading = self.answerer.run(query, passages, IndexView(self.resources.lexical()))
        answer = self.composer.run(query, passages, reading, limit)
        now = time.perf_counter()
        timings.update(answer_ms=(now - t_answer) * 1e3, total_ms=(now - started) * 1e3)
        answer.timings = {k: round(v, 2) for k, v in timings.items()}
        return answer
