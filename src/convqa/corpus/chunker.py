"""Sentence-aware chunks that keep their exact character offsets in the article.

A chunk is a run of whole sentences (never a cut sentence) of at most ``max_words``
words. Chunks prefer to end at paragraph ends; short paragraphs are merged with the next
one so that every chunk carries enough context to embed well. Inside a long paragraph,
consecutive chunks overlap by one sentence so an answer that straddles a boundary is
still found whole in one chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from convqa.corpus.loader import Article
from convqa.corpus.sentences import Span, paragraph_spans, sentence_spans


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``article.text[start:end] == text``."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]  # absolute offsets in the article

    @property
    def words(self) -> int:
        """Number of whitespace-separated words."""
        return len(self.text.split())


def _words(text: str, span: Span) -> int:
    return len(text[span[0] : span[1]].split())


def chunk_text(text: str, doc_id: str = "", max_words: int = 160, min_words: int = 30) -> list[Chunk]:
    """Split an article text into chunks of whole sentences with exact offsets."""
    # Sentences tagged with their paragraph number.
    tagged: list[tuple[int, Span]] = []
    for p_no, (p_start, p_end) in enumerate(paragraph_spans(text)):
        for span in sentence_spans(text, p_start, p_end):
            tagged.append((p_no, span))

    groups: list[list[tuple[int, Span]]] = []
    current: list[tuple[int, Span]] = []
    current_words = 0
    for p_no, span in tagged:
        n = _words(text, span)
        new_paragraph = bool(current) and current[-1][0] != p_no
        if current and (current_words + n > max_words or (new_paragraph and current_words >= min_words)):
            groups.append(current)
            # Overlap by one sentence only inside a paragraph and when it leaves room.
            last_p, last_span = current[-1]
            last_n = _words(text, last_span)
            if last_p == p_no and last_n + n <= max_words and last_n <= max_words // 2:
                current, current_words = [(last_p, last_span)], last_n
            else:
                current, current_words = [], 0
        current.append((p_no, span))
        current_words += n
    if current:
        groups.append(current)

    chunks = []
    for index, group in enumerate(groups):
        start, end = group[0][1][0], group[-1][1][1]
        chunks.append(
            Chunk(
                doc_id=doc_id,
                index=index,
                start=start,
                end=end,
                text=text[start:end],
                sentences=tuple(span for _, span in group),
            )
        )
    return chunks


def chunk_article(article: Article, max_words: int = 160, min_words: int = 30) -> list[Chunk]:
    """Chunks of one article (see chunk_text)."""
    return chunk_text(article.text, article.doc_id, max_words=max_words, min_words=min_words)
