"""PDF articles: the text layer extracted by pypdf, lines rejoined into paragraphs.

A PDF has no paragraphs, only positioned lines, and the chunker never lets a sentence
cross a line. So wrapped lines are joined back: a line ends its paragraph when it ends
a sentence before reaching the text's usual width, or when it is a short heading. The
Article's text is this rebuilt text (normalized), so citation offsets point into it.
Scanned PDFs (images, no text layer) are refused: there is no OCR.
"""

from __future__ import annotations

import io
import logging
import re

from convqa.corpus.formats.base import Parsed, UnreadableArticle, split_title_line, title_from_stem

# A paragraph's last line ends a sentence ("." "!" "?" "…" ":"), maybe inside quotes.
_ENDS_SENTENCE = re.compile(r"[.!?…:][\"»”’')\]\s]*$")
# Lines this close to the widest one were wrapped by the layout, not ended by the writer.
_FULL_LINE = 0.85
# A line this short that does not end a sentence, followed by a capital, is a heading.
_HEADING_LINE = 0.6
# Generator defaults and file names that some tools store as the document's title.
_JUNK_TITLE = re.compile(
    r"^(untitled|sans titre|document\d*|microsoft word - .*|.*\.(docx?|odt|pdf|rtf))$", re.IGNORECASE
)


def parse_pdf(data: bytes, name: str, stem: str) -> Parsed:
    """Read a PDF's text layer; title from its metadata, else from its first short line."""
    if b"%PDF-" not in data[:1024]:
        raise UnreadableArticle("not_pdf")
    pages, meta, meta_title = _read(data)
    body = "\n\n".join(p for p in (_rejoin(page.split("\n")) for page in pages) if p)
    if not body.strip():
        raise UnreadableArticle("pdf_no_text")
    if meta_title:
        first, _, rest = body.partition("\n\n")
        if _squash(first) == _squash(meta_title) and rest.strip():
            body = rest  # the title printed on the first page is not body text
        return Parsed(meta_title, body, meta)
    titled = split_title_line(body)
    if titled:
        return Parsed(titled[0], titled[1], meta)
    return Parsed(title_from_stem(stem), body, meta)


def _read(data: bytes) -> tuple[list[str], dict[str, str], str]:
    """Pages' text, metadata (author, date, lang) and the metadata title ('' when none)."""
    from pypdf import PdfReader

    # pypdf logs each repair it attempts, without naming the file; the loader's one
    # warning a skipped file (or nothing, for a repaired one) is what the user needs.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableArticle("pdf_password")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableArticle:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged or hostile files
        raise UnreadableArticle("pdf_unreadable", error=exc.__class__.__name__) from None
    meta: dict[str, str] = {}
    title = ""
    try:  # metadata is optional and often malformed: never a reason to refuse the text
        info = reader.metadata
        if info is not None:
            title = " ".join((info.title or "").split())
            if info.author:
                meta["author"] = " ".join(str(info.author).split())
            if info.creation_date:
                meta["date"] = info.creation_date.date().isoformat()
        lang = reader.trailer["/Root"].get("/Lang")
        if lang:
            meta["lang"] = str(lang).split("-")[0].lower()
    except Exception:
        pass
    if _JUNK_TITLE.match(title):
        title = ""
    return pages, meta, title


def _rejoin(lines: list[str]) -> str:
    """Join wrapped lines into paragraphs separated by blank lines."""
    lines = [" ".join(line.split()) for line in lines]
    full = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        if not line:
            paragraphs.append(current)
            current = ""
            continue
        current = _join(current, line)
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _ends_paragraph(line, following, full):
            paragraphs.append(current)
            current = ""
    paragraphs.append(current)
    return "\n\n".join(p for p in paragraphs if p)


def _join(current: str, line: str) -> str:
    if not current:
        return line
    if current.endswith("-") and current[-2:-1].isalpha() and line[:1].islower():
        return current + line  # "porte-" + "parole": the hyphen stays, no space
    return f"{current} {line}"


def _ends_paragraph(line: str, following: str, full: int) -> bool:
    if not following:
        return True
    if _ENDS_SENTENCE.search(line):
        return len(line) < _FULL_LINE * full
    heading = len(line) < _HEADING_LINE * full and not line.endswith((",", "-", ";"))
    return heading and (following[:1].isupper() or following[:1].isdigit())


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()
