"""A question's route, step by step, each step an object with one ``run`` method:

    question + history ─► Query (validated, language, follow-up context)
      ─► earlier answers' positions            (Query, view) → Query
      ─► the question's vector                 Query → Query (with its vector)
      ─► retrievers (dense, lexical)           each: (Query, view) → list[Passage]
      ─► fusion                                list[list[Passage]] → list[Passage]
      ─► conversation neighbours, dense scores (Query, passages) → passages
      ─► answer step (sentences or reader)     (Query, passages, view) → Reading
      ─► abstention (learned or rules)         (Query, passages, Reading, view) → Reading
      ─► short answer (typed or model)         (Query, passages, Reading, view) → Reading
      ─► composer                              Reading → Answer with citations
      ─► rewriter (only with a chat model)     Answer → text pieces, then the Answer

The Query is frozen: a step that refines it returns a new one. Each question takes one
``IndexView`` (the lexical index as the follower keeps it current) and hands that same
view to every step that reads the index; no step calls back into the Assistant.

Steps are chosen by name in Settings (``retrievers``, ``answerer``); a name may also be
``"package.module:Class"``, constructed with the pipeline's ``Resources``, so trying a new
retriever or answer step is a settings change plus a class.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from convqa.answer.answerability import load_abstention
from convqa.answer.blended import BlendedStep
from convqa.answer.candidates import SentenceVectors
from convqa.answer.compose import Composer
from convqa.answer.learned import load_learned_step
from convqa.answer.reader_step import load_reader_step
from convqa.answer.reading import Reading
from convqa.answer.rewrite import rewriter_for
from convqa.answer.sentences import SentenceScorer
from convqa.answer.typed_short import load_short_answer
from convqa.answer.types import Answer
from convqa.conversation import Turn
from convqa.index.follow import LexicalFollower
from convqa.index.vectors import VectorStore
from convqa.index.view import IndexView
from convqa.model.calibration import Calibration
from convqa.model.embedder import Embedder, LazyEmbedder
from convqa.model.spec import spec_for
from convqa.question import make_query
from convqa.retrieval.dense import DenseRetriever, DenseScores
from convqa.retrieval.fusion import RRFFusion
from convqa.retrieval.lexical import LexicalRetriever
from convqa.retrieval.neighbours import NeighbourPassages, SaidPositions
from convqa.retrieval.types import Passage, Query
from convqa.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resources:
    """What steps are built from: loaded once by the Assistant and shared by every question.

    The lexical index is not here: it changes as the corpus does, so each question's
    steps are handed the view of it taken when the question started.
    """

    settings: Settings
    embedder: Embedder | LazyEmbedder
    store: VectorStore
    follower: LexicalFollower
    sentence_vectors: SentenceVectors
    calibration: Calibration


class Retriever(Protocol):
    """(Query, view) → passages, best first."""

    def run(self, query: Query, index: IndexView) -> list[Passage]: ...


class AnswerStep(Protocol):
    """(Query, passages, view) → Reading: which sentences answer, and whether any does."""

    def run(self, query: Query, passages: list[Passage], index: IndexView) -> Reading: ...


def _sentences(r: Resources) -> AnswerStep:
    return SentenceScorer(r.sentence_vectors, r.calibration)


def _reader(r: Resources) -> AnswerStep:
    return load_reader_step(r, fallback=_sentences)


def _learned(r: Resources) -> AnswerStep:
    return load_learned_step(r, fallback=_sentences)


def _blended(r: Resources) -> AnswerStep:
    return load_learned_step(r, fallback=_sentences, step=BlendedStep)


RETRIEVERS: dict[str, Callable[[Resources], Retriever]] = {
    "dense": lambda r: DenseRetriever(r.store, r.settings.candidates),
    "lexical": lambda r: LexicalRetriever(r.settings.candidates),
}
ANSWER_STEPS: dict[str, Callable[[Resources], AnswerStep]] = {
    "sentences": _sentences,
    "reader": _reader,
    "learned": _learned,
    "blended": _blended,
}


def build_step(name: str, registry: dict[str, Callable[[Resources], Any]], resources: Resources) -> Any:
    """A step by its registered name, or by ``module:Class`` (constructed with resources)."""
    if name in registry:
        return registry[name](resources)
    module, sep, attr = name.partition(":")
    if not sep:
        raise ValueError(f"unknown step {name!r}: use one of {', '.join(registry)} or 'module:Class'")
    return getattr(importlib.import_module(module), attr)(resources)


def fusion_weights(settings: Settings, names: list[str], language: str = "fr") -> list[float]:
    """Each retriever's weight in the fusion of a question in ``language``: the dense one's
    from settings, else the model's fitted weight (its spec); the lexical one's 1 for a French
    question and, for a question in another language, the cross-language weight (settings,
    else the spec's); every other one 1."""
    spec = spec_for(settings)
    dense = settings.dense_weight if settings.dense_weight is not None else spec.dense_weight
    lexical = 1.0
    if language != "fr":
        fitted = settings.cross_lexical_weight
        lexical = fitted if fitted is not None else spec.cross_lexical_weight
    return [dense if name == "dense" else lexical if name == "lexical" else 1.0 for name in names]


class _Timer:
    """Milliseconds per named stage of one question (reported in ``Answer.timings``)."""

    def __init__(self, sink: dict[str, float] | None) -> None:
        self.sink = sink
        self.started = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.sink is not None:
            self.sink[name] = (now - self.started) * 1e3
        self.started = now


class Pipeline:
    """The question's route (see module docstring); thread-safe as long as its steps are."""

    def __init__(self, resources: Resources) -> None:
        settings = resources.settings
        self.resources = resources
        self.said_positions = SaidPositions()
        self.retrievers = {name: build_step(name, RETRIEVERS, resources) for name in settings.retrievers}
        self.fusion = RRFFusion(k=settings.rrf_k)
        #: Fusion weights by the question's language (see fusion_weights); "other": not French.
        self.weights = {
            language: fusion_weights(settings, list(self.retrievers), language) for language in ("fr", "other")
        }
        self.neighbours = NeighbourPassages()
        self.dense_scores = DenseScores(resources.store)
        self.answerer = build_step(settings.answerer, ANSWER_STEPS, resources)
        self.abstention = load_abstention(resources)
        self.short_answer = load_short_answer(settings.short_answer)
        self.composer = Composer(settings.cite_min_relevance)
        # None for the extractive default: no chat-model code is loaded.
        self.rewriter = rewriter_for(settings)

    def view(self) -> IndexView:
        """The index view a question should read now."""
        return self.resources.follower.view()

    def query(
        self,
        question: object,
        history: Sequence[Turn] = (),
        *,
        exclude: frozenset[str] = frozenset(),
        index: IndexView | None = None,
        timings: dict | None = None,
    ) -> Query:
        """The validated, embedded Query (BadQuestionError for unusable input);
        ``exclude``: article ids to leave out, as if they were not indexed."""
        query = make_query(question, history, self.resources.settings.max_question_chars, exclude)
        query = self.said_positions.run(query, index or self.view())
        timer = _Timer(timings)
        query = replace(query, vector=self.resources.embedder.encode_queries([query.search_text])[0])
        timer.lap("embed_ms")
        return query

    def retrieve(
        self, query: Query, limit: int = 8, *, index: IndexView | None = None, timings: dict | None = None
    ) -> list[Passage]:
        """Fused passages for an embedded query, with every passage's dense score."""
        index = index or self.view()
        rankings = []
        for name, retriever in self.retrievers.items():
            timer = _Timer(timings)
            ranking = retriever.run(query, index)
            excluded = query.exclude or query.exclude_ranges
            rankings.append([p for p in ranking if not query.excludes(p)] if excluded else ranking)
            timer.lap(f"{name}_ms")
        weights = self.weights["fr" if query.language == "fr" else "other"]
        passages = self.fusion.run(rankings, limit=limit, weights=weights)
        return self.dense_scores.run(query, self.neighbours.run(query, passages, index))

    def read(self, query: Query, passages: list[Passage], index: IndexView | None = None) -> Reading:
        """The answer step's Reading of these passages, with the abstention step's verdict and
        the short answer."""
        index = index or self.view()
        reading = self.abstention.run(query, passages, self.answerer.run(query, passages, index), index)
        return self.short_answer.run(query, passages, reading, index)

    def answer(
        self, query: Query, limit: int, *, index: IndexView | None = None, timings: dict | None = None
    ) -> Answer:
        """An embedded query's Answer with up to ``limit`` citations: its passages retrieved
        (at least 8, for the answer step to choose among), read and composed."""
        index = index or self.view()
        passages = self.retrieve(query, limit=max(limit, 8), index=index, timings=timings)
        timer = _Timer(timings)
        answer = self.composer.run(query, passages, self.read(query, passages, index), limit)
        timer.lap("answer_ms")
        return answer

    def run(
        self,
        question: object,
        history: Sequence[Turn] = (),
        top_k: int | None = None,
        exclude: frozenset[str] = frozenset(),
        exclude_ranges: tuple[tuple[str, int, int], ...] = (),
    ) -> Answer:
        """Answer one question after ``history`` (``exclude``: article ids to leave out;
        ``exclude_ranges``: (article id, start, end) ranges whose chunks are left out)."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        index = self.view()
        query = self.query(question, history, exclude=exclude, index=index, timings=timings)
        if exclude_ranges:
            query = replace(query, exclude_ranges=tuple(exclude_ranges))
        limit = max(1, min(int(top_k or self.resources.settings.top_k), 20))
        answer = self.answer(query, limit, index=index, timings=timings)
        timings["total_ms"] = (time.perf_counter() - started) * 1e3
        answer.timings = {k: round(v, 2) for k, v in timings.items()}
        return answer

    def stream(self, question: object, history: Sequence[Turn] = (), **options: Any) -> Iterator[str | Answer]:
        """Text pieces of a generated answer as the chat model writes them, then the final Answer.

        The last item is always the Answer; with the extractive default it is the only one.
        When the model's text is not kept (no valid citation, an invented [n], an error, a
        timeout), the Answer is the extractive one with ``fallback_reason``: it replaces
        whatever was streamed before it. ``options``: ``top_k`` and ``exclude``, as ``run`` takes them.
        """
        answer = self.run(question, history, **options)
        if self.rewriter is None:
            yield answer
            return
        pairs = [(t.question, t.answer_text) for t in history if t.answer_text]
        yield from self.rewriter.run(answer, pairs)
