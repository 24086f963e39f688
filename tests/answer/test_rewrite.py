"""The rewriter step after the composer: the model's text streamed, then the generated Answer
when its citations hold, else the extractive one with the reason.

The chat models are LangChain's own list-driven ones (``langchain_core``'s fake chat models,
real ``BaseChatModel`` implementations streamed through LangChain), so the step's logic is
tested without a server; tests/answer/test_generative.py runs it against a real model.
"""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel

from convqa.answer.generative import Generator
from convqa.answer.rewrite import Rewriter, rewriter_for
from convqa.answer.types import Answer, Citation
from convqa.settings import Settings

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

QUESTION = "Quel organisme dirige Ghada Waly ?"
QUOTE = "Mme Ghada Waly dirige l'ONUDC."


def extractive(abstained: bool = False) -> Answer:
    citations = (
        []
        if abstained
        else [
            Citation(
                n=1,
                doc_id="hanoi",
                title="Convention de Hanoï",
                source="",
                text=QUOTE,
                start=0,
                end=len(QUOTE),
                quote=QUOTE,
                quote_start=0,
                quote_end=len(QUOTE),
                score=0.9,
            )
        ]
    )
    return Answer(
        question=QUESTION,
        answer="x" if abstained else f"{QUOTE} [1]",
        abstained=abstained,
        citations=citations,
        timings={"answer_ms": 3.0, "total_ms": 10.0},
    )


def rewriter(chat_model) -> Rewriter:
    return Rewriter(Generator(Settings(generator="openai", llm_timeout=30), chat_model=chat_model))


def test_a_cited_answer_is_streamed_then_kept_with_its_generator_and_timings():
    text = "Selon [1, 1], Ghada Waly dirige l'ONUDC."
    items = list(rewriter(FakeListChatModel(responses=[text])).run(extractive(), [("Qui ?", "Le Vietnam.")]))
    *pieces, final = items
    assert "".join(pieces) == text and all(isinstance(p, str) for p in pieces)
    assert final.answer == "Selon [1][1], Ghada Waly dirige l'ONUDC." and final.generator == "openai"
    assert final.fallback_reason is None and final.citations == extractive().citations
    assert final.timings["answer_ms"] == 3.0 and final.timings["generate_ms"] >= 0.0
    # Both rounded to 0.01 ms from the same elapsed time.
    assert abs(final.timings["total_ms"] - (10.0 + final.timings["generate_ms"])) <= 0.011


def test_an_invented_citation_keeps_the_extractive_answer_with_the_reason():
    *_, final = rewriter(FakeListChatModel(responses=["L'ONUDC [4]."])).run(extractive(), [])
    assert final.answer == f"{QUOTE} [1]" and final.generator == "extractive"
    assert "[4]" in final.fallback_reason and "generate_ms" in final.timings


def test_a_failing_model_keeps_the_extractive_answer():
    # An exhausted message iterator makes the chat model raise while streaming.
    *_, final = rewriter(GenericFakeChatModel(messages=iter([]))).run(extractive(), [])
    assert final.answer == f"{QUOTE} [1]" and final.fallback_reason.startswith("the openai model failed")


def test_an_abstention_is_not_rephrased_and_extractive_needs_no_rewriter():
    items = list(rewriter(FakeListChatModel(responses=["Selon [1], rien."])).run(extractive(True), []))
    assert len(items) == 1 and items[0].abstained and items[0].answer == "x"
    assert (
        items[0].fallback_reason == "the passages do not answer the question"
        and items[0].timings == extractive(True).timings
    )
    assert rewriter_for(Settings()) is None
    assert rewriter_for(Settings(generator="ollama")).name == "ollama"
