"""The settings that shape an evaluation's results, recorded with them (the code's commit and the
machine are convqa.evaluation.machine's)."""

from __future__ import annotations

#: Settings that shape the results (host, port, auth... do not).
CONFIG_SETTINGS = (
    "model",
    "embed_titles",
    "chunk_max_words",
    "chunk_min_words",
    "top_k",
    "candidates",
    "rrf_k",
    "max_question_chars",
    "retrievers",
    "answerer",
    "abstention",
    "short_answer",
    "reader_dir",
    "reader_precision",
    "reader_abstain_below",
    "reader_short_above",
    "answerer_dir",
    "cite_min_relevance",
    "generator",
    "llm_model",
)
