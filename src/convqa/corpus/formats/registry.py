"""The article formats convqa reads, by file suffix and by HTTP content type.

This is the one list: the loader dispatches on it, upload checks and UI labels derive
from it, and fetched pages are parsed by the format their content type names. A parser
takes the file's bytes, so binary formats (PDF) are never run through text decoding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from convqa.corpus.formats.base import Parsed
from convqa.corpus.formats.html import parse_html
from convqa.corpus.formats.markdown import parse_markdown
from convqa.corpus.formats.pdf import parse_pdf
from convqa.corpus.formats.text import parse_text

#: ``parse(data, file name, file stem)``; raises UnreadableArticle with a reason.
Parser = Callable[[bytes, str, str], Parsed]


@dataclass(frozen=True)
class Format:
    """One article format."""

    name: str
    parse: Parser
    suffixes: tuple[str, ...]  # accepted from users, the first one shown in labels
    content_types: tuple[str, ...]  # what a web server calls it
    corpus_only_suffixes: tuple[str, ...] = ()  # also read from the corpus folder, not accepted as uploads


FORMATS: tuple[Format, ...] = (
    Format("text", parse_text, (".txt",), ("text/plain",)),
    Format("markdown", parse_markdown, (".md",), ("text/markdown", "text/x-markdown"), (".markdown",)),
    Format("html", parse_html, (".html", ".htm"), ("text/html", "application/xhtml+xml")),
    Format("pdf", parse_pdf, (".pdf",), ("application/pdf",)),
)


def format_for(filename: str, *, uploads: bool = False) -> Format | None:
    """The format of a file name (by suffix, any case), or None when it is not an article.

    ``uploads=True`` accepts only what users may add (``.markdown`` is read from the
    corpus folder but not taken as an upload).
    """
    suffix = _suffix(filename)
    for fmt in FORMATS:
        if suffix in fmt.suffixes or (not uploads and suffix in fmt.corpus_only_suffixes):
            return fmt
    return None


def format_for_content_type(content_type: str) -> Format | None:
    """The format a ``Content-Type`` header names (parameters and case ignored), or None."""
    media = content_type.split(";", 1)[0].strip().lower()
    for fmt in FORMATS:
        if media in fmt.content_types:
            return fmt
    return None


def suffix_label() -> str:
    """The accepted types for people, one suffix a format: ``.txt, .md, .html, .pdf``."""
    return ", ".join(fmt.suffixes[0] for fmt in FORMATS)


def _suffix(filename: str) -> str:
    return PurePosixPath(str(filename).replace("\\", "/")).suffix.lower()
