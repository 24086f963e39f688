"""A cited passage in its article: the surrounding paragraphs, read from the corpus.

Citations carry offsets into the article text as the loader produces it, so the article
is read again with ``read_article`` (cached while the file is unchanged) and the window
is cut from that text. When the file changed since it was indexed, the offsets no longer
point at the passage: that is reported instead of showing the wrong text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from convqa.answer.types import Citation
from convqa.corpus.loader import UnreadableArticle, read_article
from convqa.corpus.sentences import paragraph_spans
from convqa.web.render import Context


def context_window(text: str, start: int, end: int, paragraphs: int = 1, max_chars: int = 700) -> Context:
    """The paragraphs holding ``text[start:end]`` plus ``paragraphs`` on each side.

    Each side is clipped to about ``max_chars`` characters (at a word boundary).
    """
    spans = paragraph_spans(text) or [(0, len(text))]
    first = next((i for i, (_, e) in enumerate(spans) if e > start), len(spans) - 1)
    last = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] < end), first)
    lo = min(start, spans[max(0, first - paragraphs)][0])
    hi = max(end, spans[min(len(spans) - 1, max(first, last) + paragraphs)][1])
    truncated_before = truncated_after = False
    if start - lo > max_chars:
        lo = text.find(" ", start - max_chars, start) + 1 or start - max_chars
        truncated_before = True
    if hi - end > max_chars:
        cut = text.rfind(" ", end, end + max_chars)
        hi = cut if cut > end else end + max_chars
        truncated_after = True
    return Context(text[lo:hi], lo, hi, truncated_before, truncated_after)


class ArticleTexts:
    """Reads cited articles from the corpus folder to show passages in context.

    ``paths()`` maps article ids to their path relative to the corpus folder (the index
    metadata knows it). Articles are cached by (path, size, mtime), a few at a time.
    """

    def __init__(
        self, corpus_dir: Path, paths: Callable[[], dict[str, str]], max_bytes: int, cache_size: int = 32
    ) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.paths = paths
        self.max_bytes = max_bytes
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def text(self, doc_id: str) -> str | None:
        """The article's text as the loader gives it, or None when it cannot be read."""
        rel = self.paths().get(doc_id)
        if not rel:
            return None
        root = self.corpus_dir.resolve()
        path = (root / rel).resolve()
        if not path.is_relative_to(root):  # index metadata pointing outside the corpus
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            text = read_article(path, max_bytes=self.max_bytes, root=root).text
        except (UnreadableArticle, UnicodeDecodeError, OSError):
            return None
        with self._lock:
            self._cache[key] = text
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return text

    def context(self, citation: Citation) -> Context | None | bool:
        """The window around the citation, None if unreadable, False if the article changed."""
        text = self.text(citation.doc_id)
        if text is None:
            return None
        if text[citation.start : citation.end] != citation.text:
            return False
        return context_window(text, citation.start, citation.end)
