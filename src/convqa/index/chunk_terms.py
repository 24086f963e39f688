"""What the lexical index sees of a chunk: its indexed text and its analysed terms.

Shared by the BM25 index (convqa.index.lexical) and its rows on disk
(convqa.index.lexical_rows), which analyse a chunk once, when it first appears.
"""

from __future__ import annotations

from typing import Any

from convqa.index.analyzer import analyze


def indexed_text(text: str, metadata: dict[str, Any]) -> str:
    """What BM25 sees of a chunk: its article's title, then the chunk."""
    # The title is indexed with the passage: questions often name the article's subject.
    return f"{metadata.get('title', '')}\n{text}"


def terms_of(text: str, metadata: dict[str, Any]) -> list[str]:
    """The analysed terms of one chunk (French analysis of its indexed text)."""
    return analyze(indexed_text(text, metadata))
