"""The assistant: keeps the model and the indexes loaded and answers questions.

question → validate → (follow-up? add the previous question as context) → embed once →
dense search + BM25 → reciprocal-rank fusion → sentence selection → Answer with citations
→ (a generator configured? the chat model rephrases the cited passages; kept only when
its citations hold, else the extractive answer stands).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Union
from pathlib import Path

from convqa.answer.extractive import SentenceVectors, compose, score_sentences, should_abstain
from convqa.answer.language import detect_language
from convqa.answer.types import Answer
from convqa.errors import BadQuestionError
from convqa.index.builder import IndexReport, Progress, build_index, lexical_path, rebuild_lexical, record_manager
from convqa.index.embedder import Embedder
from convqa.index.lexical import LexicalIndex
from convqa.index.vectors import VectorStore
from convqa.retrieval.hybrid import Passage, fuse
from convqa.settings import Settings

if TYPE_CHECKING:  # the chat-model code loads only when a generator is configured
    from convqa.answer.generative import Generator

log = logging.getLogger(__name__)

#: How often (seconds) a question checks that the lexical index matches the vector store.
CONSISTENCY_CHECK_SECONDS = 1.0

_FOLLOW_UP = re.compile(
    r"\b(il|elle|ils|elles|lui|leur|leurs|celui|celle|ceux|celles|là|he|she|it|they|them|his|her|hers|their|its|this|that|there)\b"
    r"|^\s*(et|and|what about|quid)\b",
    re.IGNORECASE,
)


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


def validate_question(question: object, max_chars: int = 2000) -> str:
    """The question, cleaned; BadQuestionError with a one-line reason when unusable."""
    if not isinstance(question, str):
        raise BadQuestionError("the question must be text")
    # Terminal escape sequences, control and format characters carry no meaning for
    # retrieval and break display.
    cleaned = _ANSI.sub(" ", question)
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if len(question) > max_chars:
        raise BadQuestionError(f"the question is {len(question):,} characters long; the limit is {max_chars:,}")
    if not cleaned:
        raise BadQuestionError("the question is empty")
    if not any(ch.isalnum() for ch in cleaned):
        raise BadQuestionError("the question has no words")
    return cleaned


Turn = Union[str, tuple[str, str], "Answer"]


def _as_turn(turn: Turn) -> tuple[str, str]:
    """(question, answer text) of a history item."""
    if isinstance(turn, str):
        return turn.strip(), ""
    if isinstance(turn, Answer):
        return turn.question, turn.answer
    question, answer = (list(turn) + ["", ""])[:2]
    return str(question or "").strip(), str(answer or "")


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous turn (a pronoun, 'et …', or very short)."""
    return bool(_FOLLOW_UP.search(question)) or len(question.split()) <= 3


class Assistant:
    """Answers questions over the indexed corpus; load once, ask many times (thread-safe)."""

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder or Embedder(self.settings.model, self.settings.data_dir)
        self.store = VectorStore(self.settings, self.embedder)
        self.sentence_vectors = SentenceVectors(self.embedder)
        self._lexical: LexicalIndex | None = None
        self._generator = None
        self._seen_revision: str | None = None
        self._checked = 0.0
        self._lock = threading.RLock()

    # -- indexes ---------------------------------------------------------------
    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index, in step with the vector store.

        At most once a second the store's revision (written by every complete index run,
        in any process, embedded or on a server) is read; when it moved, the saved lexical
        index is reloaded, or rebuilt from the store when it does not match.
        """
        with self._lock:
            now = time.monotonic()
            if self._lexical is not None and now - self._checked < CONSISTENCY_CHECK_SECONDS:
                return self._lexical
            self._checked = now
            revision = self.store.revision()
            if self._lexical is not None and revision == self._seen_revision:
                return self._lexical
            loaded = LexicalIndex.load(lexical_path(self.settings))
            if loaded is None or (revision is not None and loaded.fingerprint != revision) or (
                revision is None and len(loaded) != self.store.count()
            ):
                loaded = rebuild_lexical(self.store, self.settings)
            self._lexical, self._seen_revision = loaded, revision
            return self._lexical

    def index(self, *, full: bool = False, progress: Progress | None = None, corpus_dir: Path | None = None) -> IndexReport:
        """Sync the indexes with the corpus folder (see convqa.index.builder.build_index)."""
        settings = self.settings if corpus_dir is None else self.settings.model_copy(update={"corpus_dir": corpus_dir})
        report = build_index(settings, full=full, progress=progress, embedder=self.embedder, store=self.store)
        with self._lock:
            self._checked = 0.0  # look at the new revision on the next question
        return report

    # -- questions -------------------------------------------------------------
    def retrieve(self, query: str, limit: int | None = None) -> tuple[list[Passage], dict[str, float], object]:
        """Hybrid retrieval for a (validated) query: passages, timings, query vector."""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        vector = self.embedder.encode_queries([query])[0]
        t1 = time.perf_counter()
        dense = self.store.search(vector, self.settings.candidates)
        t2 = time.perf_counter()
        lexical = self.lexical
        hits = [(h.row, h.score) for h in lexical.search(query, self.settings.candidates)]
        t3 = time.perf_counter()
        passages = fuse(dense, hits, lexical, k=self.settings.rrf_k, limit=limit or max(self.settings.top_k, 8))
        # Passages found by BM25 alone get their dense similarity too: answer selection uses it.
        missing = [p.chunk_id for p in passages if p.dense is None]
        for chunk_id, sim in self.store.similarities(vector, missing).items():
            next(p for p in passages if p.chunk_id == chunk_id).dense = sim
        timings.update(embed_ms=(t1 - t0) * 1e3, dense_ms=(t2 - t1) * 1e3, lexical_ms=(t3 - t2) * 1e3)
        return passages, timings, vector

    def ask(self, question: str, history: Sequence[Turn] | None = None, *, top_k: int | None = None) -> Answer:
        """Answer a question in the light of the conversation so far.

        ``history`` lists earlier turns, oldest first: each a question (str), a
        ``(question, answer_text)`` pair or an ``Answer``. A follow-up ("Qu'a-t-elle
        promis ?") is searched together with the previous question, and the assistant
        does not repeat a sentence it already gave. ``top_k`` overrides how many passages
        are cited (settings.top_k by default).
        With ``settings.generator`` set, the chat model's answer is returned when its
        citations hold (``generator`` names it), else the extractive one with
        ``fallback_reason``; see ``ask_stream``.
        Raises BadQuestionError (a ValueError) for an empty, over-long or wordless question.
        """
        if self.settings.generator == "extractive":
            return self._extractive(question, history, top_k)
        answer = None
        for item in self.ask_stream(question, history, top_k=top_k):
            answer = item
        return answer

    def ask_stream(
        self, question: str, history: Sequence[Turn] | None = None, *, top_k: int | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces of a generated answer as the model writes them, then the final Answer.

        The last item is always the Answer. With the extractive generator (the default)
        it is the only one. When the model's text is not kept (no valid citation, an
        invented [n], an error, a timeout), the Answer is the extractive one with
        ``fallback_reason``: it replaces whatever was streamed before it.
        """
        answer = self._extractive(question, history, top_k)
        if self.settings.generator == "extractive":
            yield answer
            return
        if answer.abstained:
            yield replace(answer, fallback_reason="the passages do not answer the question")
            return
        from convqa.answer.generative import GenerationError, accept

        turns = [t for t in (_as_turn(t) for t in history or []) if t[0] and t[1]]
        started = time.perf_counter()
        parts: list[str] = []
        try:
            for delta in self.generator.stream(answer.question, answer.citations, turns, answer.language):
                parts.append(delta)
                yield delta
            text = accept("".join(parts), len(answer.citations))
        except GenerationError as exc:
            log.warning("extractive answer kept: %s", exc)
            text, reason = None, str(exc)
        elapsed = (time.perf_counter() - started) * 1e3
        timings = answer.timings | {
            "generate_ms": round(elapsed, 2),
            "total_ms": round(answer.timings.get("total_ms", 0.0) + elapsed, 2),
        }
        if text is None:
            yield replace(answer, timings=timings, fallback_reason=reason)
        else:
            yield replace(answer, answer=text, timings=timings, generator=self.settings.generator)

    @property
    def generator(self) -> "Generator":
        """The chat-model Generator of ``settings.generator`` (created on first use)."""
        with self._lock:
            if self._generator is None:
                from convqa.answer.generative import Generator

                self._generator = Generator(self.settings)
            return self._generator

    def _extractive(self, question: str, history: Sequence[Turn] | None, top_k: int | None) -> Answer:
        """The extractive answer (see ``ask``)."""
        started = time.perf_counter()
        question = validate_question(question, self.settings.max_question_chars)
        language = detect_language(question)
        context, said = "", []
        turns = [_as_turn(t) for t in history or []]
        turns = [t for t in turns if t[0]]
        if turns and is_follow_up(question):
            context = turns[-1][0][: self.settings.max_question_chars]
            said = [t[1] for t in turns if t[1]]
        query = f"{context} {question}" if context else question
        limit = max(1, min(int(top_k or self.settings.top_k), 20))
        passages, timings, vector = self.retrieve(query, limit=max(limit, 8))
        t_answer = time.perf_counter()
        near = None
        if said:
            # Where the previous answer was quoted from (its [n] markers are not article text):
            # the passages around it join the candidates, as follow-ups often continue there.
            near = self.lexical.locate(re.sub(r"\s*\[\d+\]", "", said[-1]).strip().split("\n")[0])
            if near is not None:
                self._add_neighbours(passages, vector, near)
        candidates = score_sentences(
            question, passages, self.lexical, context=context, question_vector=vector,
            sentence_vectors=self.sentence_vectors, language=language, already_said=said, near=near,
        )
        abstained = should_abstain(passages, candidates)
        text, citations = compose(passages, candidates, language=language, limit=limit, abstained=abstained)
        now = time.perf_counter()
        timings.update(answer_ms=(now - t_answer) * 1e3, total_ms=(now - started) * 1e3)
        return Answer(
            question=question,
            answer=text,
            abstained=abstained,
            citations=citations,
            timings={k: round(v, 2) for k, v in timings.items()},
            language=language,
        )

    def _add_neighbours(self, passages: list[Passage], vector, near: tuple[str, int, int]) -> None:
        """Mark (and add when missing) the chunks around the previous answer's quote."""
        from convqa.answer.extractive import PROXIMITY_CHARS

        lexical = self.lexical
        by_id = {p.chunk_id: p for p in passages}
        floor = min((p.score for p in passages), default=0.0)
        for row in lexical.neighbours(near[0], near[1] - PROXIMITY_CHARS // 3, near[2] + PROXIMITY_CHARS):
            chunk_id = lexical.ids[row]
            passage = by_id.get(chunk_id)
            if passage is None:
                passage = Passage(chunk_id, lexical.texts[row], lexical.metadatas[row], score=floor)
                passage.dense = self.store.similarities(vector, [chunk_id]).get(chunk_id)
                passages.append(passage)
            passage.extra["neighbour"] = True

    def status(self) -> dict:
        """Counts of the vector store, the lexical index and the record manager."""
        chunks = self.store.count()
        lexical = self.lexical
        records = len(record_manager(self.settings).list_keys())
        return {
            "documents": len({m.get("doc_id") for m in lexical.metadatas}),
            "chunks": chunks,
            "lexical_chunks": len(lexical),
            "records": records,
            "consistent": chunks == len(lexical) == records,
            "model": self.store.model or self.store.recipe,
            "store": "server" if self.settings.chroma_url else "embedded",
            "location": self.settings.store_description,
            "data_dir": str(self.settings.data_dir.resolve()),
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


def ask(question: str, history: Sequence[Turn] | None = None) -> Answer:
    """Answer a question with the process-wide Assistant (settings from the environment)."""
    return default_assistant().ask(question, history)
