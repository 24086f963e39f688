"""The rewriter: a pipeline step after the composer that lets a chat model word the answer.

It streams the model's text as it comes, then gives the final Answer: the generated one when
its citations hold (``answer/grounding.py``), else the composer's extractive one with the
reason in ``fallback_reason``; the final Answer replaces whatever was streamed before it.
An abstention is never rephrased: the passages do not answer, so there is nothing to word.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

from convqa.answer.generative import Generator
from convqa.answer.grounding import GenerationError, accept
from convqa.answer.types import Answer
from convqa.settings import Settings

log = logging.getLogger(__name__)


class Rewriter:
    """Rewrites the composer's Answer with ``generator`` (its chat model built on first use)."""

    def __init__(self, generator: Generator) -> None:
        self.generator = generator

    @property
    def name(self) -> str:
        """The generator's name, as recorded in ``Answer.generator`` when its answer is kept."""
        return self.generator.name

    def run(self, answer: Answer, history_pairs: Sequence[tuple[str, str]] = ()) -> Iterator[str | Answer]:
        """Text pieces of the generated answer as the model writes them, then the final Answer.

        ``answer`` is the composer's (with the pipeline's timings); ``history_pairs`` are the
        earlier turns as (question, answer text), oldest first. The question and its language
        are the answer's own (the composer's, from the query). The final Answer adds
        ``generate_ms`` to the timings and the generation time to ``total_ms``.
        """
        if answer.abstained:
            yield replace(answer, fallback_reason="the passages do not answer the question")
            return
        started = time.perf_counter()
        parts: list[str] = []
        try:
            for delta in self.generator.stream(answer.question, answer.citations, history_pairs, answer.language):
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
            yield replace(answer, answer=text, timings=timings, generator=self.name)


def rewriter_for(settings: Settings) -> Rewriter | None:
    """The rewriter of ``settings.generator``, or None for the extractive default (no model)."""
    if settings.generator == "extractive":
        return None
    return Rewriter(Generator(settings))
