"""Read every article of the corpus folder into clean text plus metadata.

Formats live in ``convqa.corpus.formats`` (plain text, Markdown with YAML front matter,
saved HTML pages, PDF); this module picks one by suffix and turns its reading into an
Article. A file that cannot be read is skipped with a warning naming it; the rest of the
corpus still loads.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convqa.corpus.formats.base import Parsed, UnreadableArticle, decode_bytes, normalize_text
from convqa.corpus.formats.registry import format_for, suffix_label
from convqa.errors import CorpusError
from convqa.messages import Message

# Re-exported: callers and tests import these from the loader.
__all__ = [
    "Article",
    "UnreadableArticle",
    "decode_bytes",
    "iter_article_files",
    "load_corpus",
    "normalize_text",
    "read_article",
    "slugify",
    "to_article",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Article:
    """One article: its text is what citations' offsets point into."""

    doc_id: str
    title: str
    text: str
    source: str = ""
    date: str = ""
    lang: str = "fr"
    path: str = ""
    #: Who wrote it, when the file says (a PDF's metadata, a Markdown front matter's ``author``).
    author: str = ""


def slugify(value: str) -> str:
    """A stable, file-system and URL safe id from a file name or title."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").lower()
    return value[:80] or "article"


def read_article(path: Path, max_bytes: int = 5_000_000, root: Path | None = None) -> Article:
    """Read one article file into an Article. Raises UnreadableArticle with a reason.

    The format is chosen from the suffix before any byte is read; each format's parser
    gets the raw bytes, and only text formats decode them.
    """
    fmt = format_for(path.name)
    if fmt is None:
        raise UnreadableArticle("unsupported_type", suffix=path.suffix.lower() or "(none)")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableArticle("empty_file")
    if size > max_bytes:
        raise UnreadableArticle("file_too_large", mb=size / 1e6, limit_mb=max_bytes / 1e6)
    parsed = fmt.parse(path.read_bytes(), path.name, path.stem)
    rel = path.relative_to(root) if root else Path(path.name)
    return to_article(parsed, slugify(str(rel.with_suffix(""))), str(rel))


def to_article(parsed: Parsed, default_id: str, path: str = "") -> Article:
    """The Article of a parsed file: normalized text, id, and the known metadata keys.

    Raises UnreadableArticle when no text is left.
    """
    body = normalize_text(parsed.body)
    if not body:
        raise UnreadableArticle("no_text")
    meta = dict(parsed.meta)
    doc_id = meta.pop("id", "") or default_id
    return Article(
        doc_id=doc_id,
        title=normalize_text(parsed.title).replace("\n", " ") or doc_id,
        text=body,
        source=meta.pop("source", meta.pop("url", "")),
        date=meta.pop("date", ""),
        lang=meta.pop("lang", meta.pop("language", "")) or "fr",
        path=path,
        author=meta.pop("author", ""),
    )


def iter_article_files(corpus_dir: Path) -> list[Path]:
    """All candidate article files below the corpus folder, in a stable order."""
    if not corpus_dir.is_dir():
        raise CorpusError("corpus_not_found", folder=corpus_dir)
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def load_corpus(
    corpus_dir: Path, max_bytes: int = 5_000_000, read: Callable[[Path], Any] | None = None, *, quiet: bool = False
) -> tuple[list[Any], list[str]]:
    """Load every readable article; return them with one warning line per skipped file.

    ``read(path)`` turns one file into what is returned (anything with a ``doc_id``;
    an Article by default). Index runs pass one that answers unchanged files from their
    chunk cache (convqa.index.chunk_cache), keeping this folder walk and its warnings.
    ``quiet`` returns the warnings without logging them: saving an article reads the
    folder to compare, and the index run that follows says them once.
    """
    read = read or (lambda path: read_article(path, max_bytes=max_bytes, root=corpus_dir))
    articles: list[Any] = []
    warnings: list[Message] = []
    seen: dict[str, str] = {}
    for path in iter_article_files(corpus_dir):
        rel = path.relative_to(corpus_dir)
        if path.is_symlink() or any(parent.is_symlink() for parent in rel.parents if str(parent) != "."):
            # A link can point anywhere on the machine: the corpus is what lies in its folder.
            warnings.append(Message("skipped", file=rel, reason=Message("symlink")))
            continue
        if format_for(path.name) is None:
            warnings.append(
                Message("skipped", file=rel, reason=Message("unsupported_type", suffix=path.suffix or "(none)"))
            )
            continue
        try:
            article = read(path)
        except (UnreadableArticle, UnicodeDecodeError, OSError) as exc:
            warnings.append(Message("skipped", file=rel, reason=exc))
            continue
        if article.doc_id in seen:
            warnings.append(
                Message(
                    "skipped", file=rel, reason=Message("same_id", doc_id=article.doc_id, other=seen[article.doc_id])
                )
            )
            continue
        seen[article.doc_id] = str(rel)
        articles.append(article)
    if not articles:
        # An empty index answers nothing: say where articles were looked for, and which files count.
        warnings.append(Message("no_readable_article", folder=corpus_dir, types=suffix_label()))
    for line in [] if quiet else warnings:
        log.warning(line)
    return articles, warnings
