"""Generated answers: a LangChain chat model rephrases the cited passages, and is checked.

The extractive answer comes first and decides what can be said: its numbered citations
are the only passages the model sees (``answer/prompt.py``), and an answer is kept only
when every [n] it writes is one of them and it cites at least one (``answer/grounding.py``).
Anything else — no valid citation, an invented [n], an error, a timeout — leaves the
extractive answer in place, with the reason (``answer/rewrite.py``).

The chat-model packages are the optional ``llm`` extra and are imported only when a
generator is configured (``answer/chat_models.py``): the extractive default never loads them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from convqa.answer.chat_models import build_chat_model
from convqa.answer.grounding import GenerationError, accept
from convqa.answer.prompt import build_messages
from convqa.answer.types import Citation
from convqa.settings import Settings

#: What callers of this module used before the split (the Assistant's streaming).
__all__ = ["GenerationError", "Generator", "accept"]


class Generator:
    """Streams a grounded answer from the configured chat model (built on first use)."""

    def __init__(self, settings: Settings, chat_model: Any = None) -> None:
        self.settings = settings
        self.name = settings.generator
        self._model = chat_model
        self._lock = threading.Lock()
        # One in-process llama.cpp model cannot decode two answers at once; servers can.
        self._serial = threading.Lock() if self.name == "llamacpp" else None

    @property
    def model(self) -> Any:
        """The chat model; GenerationError when it cannot be built (missing extra or file)."""
        with self._lock:
            if self._model is None:
                try:
                    self._model = build_chat_model(self.settings)
                except GenerationError:
                    raise
                except Exception as exc:  # a GGUF that does not load, a bad URL
                    raise GenerationError("llm_unavailable", name=self.name, reason=_short(exc)) from None
            return self._model

    def stream(
        self,
        question: str,
        citations: Sequence[Citation],
        history: Sequence[tuple[str, str]] = (),
        language: str = "fr",
    ) -> Iterator[str]:
        """Text deltas of the model's answer, as they come.

        Raises GenerationError when the model fails or the whole answer takes longer than
        ``settings.llm_timeout`` seconds. The caller checks the assembled text with ``accept``.
        """
        messages = build_messages(question, citations, history, language)
        if self._serial is None:
            yield from self._stream(messages)
            return
        if not self._serial.acquire(timeout=self.settings.llm_timeout):
            raise GenerationError("llm_busy", name=self.name)
        try:
            yield from self._stream(messages)
        finally:
            self._serial.release()

    def _stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        deadline = time.monotonic() + self.settings.llm_timeout
        produced = 0
        try:
            for chunk in self.model.stream(messages):
                delta = chunk.text if hasattr(chunk, "text") else str(chunk)
                if delta:
                    produced += 1
                    yield delta
                if time.monotonic() > deadline:
                    raise GenerationError("llm_timeout", name=self.name, seconds=self.settings.llm_timeout)
                if produced > self.settings.llm_max_tokens:
                    # Servers that ignore the limit would otherwise run on until the deadline.
                    break
        except GenerationError:
            raise
        except Exception as exc:  # connection refused, HTTP errors, read timeouts, decoding errors
            raise GenerationError("llm_failed", name=self.name, reason=_short(exc)) from None


def _short(exc: BaseException) -> str:
    """One line naming the error, without the request dumps some clients attach."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 160 else text[:157] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
