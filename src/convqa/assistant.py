"""The assistant: the facade of convqa's Python API.

It loads what every question shares (the embedding model, the vector store, the follower
that keeps the BM25 index in step with the store) and offers four things: ``ask``,
``ask_stream``, ``index`` and ``status``. The question's route, including a configured
chat model's rewording, lives in convqa.pipeline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from convqa.answer.candidates import SentenceVectors
from convqa.answer.types import Answer
from convqa.conversation import normalize_history
from convqa.errors import StoreError
from convqa.index.builder import IndexReport, Progress, build_index
from convqa.index.catalog import index_status
from convqa.index.changes import Changes
from convqa.index.faults import server_faults
from convqa.index.follow import LexicalFollower
from convqa.index.lexical import LexicalIndex
from convqa.index.sentences import SentenceIndex
from convqa.index.vectors import VectorStore
from convqa.model.embedder import Embedder, LazyEmbedder
from convqa.model.spec import spec_for
from convqa.offline import go_offline
from convqa.pipeline import Pipeline, Resources
from convqa.question import is_follow_up, validate_question  # noqa: F401  (public here since 0.1)
from convqa.settings import Settings

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions over the indexed corpus; load once, ask many times (thread-safe).

    A thin facade: it loads what every question shares (the embedding model, the vector
    store, the follower that keeps the BM25 index in step with the store) and hands it to
    the pipeline, where the question's route lives.
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | LazyEmbedder | None = None) -> None:
        go_offline()  # an entry point: the model must never be looked up on a hub
        self.settings = settings or Settings()
        spec = spec_for(self.settings)
        # Questions through ONNX Runtime (no torch on the answering path); passages, which
        # an index run or an unstored sentence needs, load the torch model on first use.
        self.embedder = embedder or LazyEmbedder(spec, self.settings.data_dir, onnx_queries=True)
        self.calibration = spec.calibration
        self.store = VectorStore(self.settings, self.embedder)
        self.sentence_vectors = SentenceVectors(
            self.embedder, SentenceIndex(self.store.client, self.settings.collection, self.embedder)
        )
        self.follower = LexicalFollower(self.store, self.settings)
        self.pipeline = Pipeline(
            Resources(self.settings, self.embedder, self.store, self.follower, self.sentence_vectors, self.calibration)
        )

    # -- indexes ---------------------------------------------------------------
    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index, in step with the vector store (see ``LexicalFollower``)."""
        return self.follower.view().lexical

    def index(
        self,
        *,
        full: bool = False,
        progress: Progress | None = None,
        corpus_dir: Path | None = None,
        on_plan: Callable[[Changes], None] | None = None,
    ) -> IndexReport:
        """Sync the indexes with the corpus folder (see convqa.index.builder.build_index)."""
        settings = self.settings if corpus_dir is None else self.settings.model_copy(update={"corpus_dir": corpus_dir})
        report = build_index(
            settings, full=full, progress=progress, embedder=self.embedder, store=self.store, on_plan=on_plan
        )
        self.follower.expire()  # look at the new revision on the next question
        return report

    # -- questions -------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Any] | None = None, *, top_k: int | None = None) -> Answer:
        """Answer a question in the light of the conversation so far.

        ``history`` lists earlier turns, oldest first, in any shape
        ``convqa.conversation.normalize_history`` accepts: Turns, Answers, JSON dicts,
        ``[question, answer_text]`` pairs or questions. A follow-up ("Qu'a-t-elle
        promis ?") is searched together with the previous question, looks around where the
        previous answer was quoted, and does not repeat a sentence already given.
        ``top_k`` is the most passages cited (settings.top_k by default).
        With ``settings.generator`` set, the chat model's answer is returned when its
        citations hold (``generator`` names it), else the extractive one with
        ``fallback_reason``; see ``ask_stream``.
        Raises BadQuestionError (a ValueError) for an empty, over-long or wordless question,
        StoreError (one line) when the Chroma server cannot be reached; the same Assistant
        answers again once it is back.
        """
        answer = None
        for item in self.ask_stream(question, history, top_k=top_k):
            answer = item
        return answer

    def ask_stream(
        self, question: str, history: Sequence[Any] | None = None, *, top_k: int | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces of a generated answer as the model writes them, then the final Answer.

        The last item is always the Answer. With the extractive generator (the default)
        it is the only one. When the model's text is not kept (no valid citation, an
        invented [n], an error, a timeout), the Answer is the extractive one with
        ``fallback_reason``: it replaces whatever was streamed before it.
        """
        turns = normalize_history(history)
        with server_faults(self.settings):
            # Vectors of another model (or cut) cannot be searched with this one's questions.
            if self.store.model not in (None, self.store.recipe):
                raise StoreError("index_other_model", stored=self.store.model, model=self.store.recipe)
            # The retrieval happens on the first item; a server fault there is one line.
            stream = self.pipeline.stream(question, turns, top_k=top_k)
            first = next(stream)
        yield first
        yield from stream

    def status(self) -> dict:
        """Counts of the vector store, the lexical index and the record manager (convqa.index.catalog)."""
        with server_faults(self.settings):
            info = index_status(self.settings, self.store.client, self.lexical, self.calibration.calibrated)
        return info | {
            "model": self.store.model or self.store.recipe,
            "answerer": getattr(self.pipeline.answerer, "description", self.settings.answerer),
            "abstention": self.pipeline.abstention.description,
            "short_answer": self.pipeline.short_answer.description,
        }


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """A process-wide Assistant built from the environment's settings."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Assistant()
        return _default


def ask(question: str, history: Sequence[Any] | None = None) -> Answer:
    """Answer a question with the process-wide Assistant (settings from the environment)."""
    return default_assistant().ask(question, history)
