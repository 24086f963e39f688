"""What every article format shares: the parsed result, the text canonical form, decoding.

A format turns a file's bytes into a ``Parsed`` (title, body, metadata); the loader then
normalizes the body, and citations' offsets point into that normalized body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from convqa.errors import CodedError

#: A first line longer than this is text, not a title.
TITLE_MAX_CHARS = 150
_SENTENCE_END = (".", "!", "?", ":", ";", ",")


class UnreadableArticle(CodedError):
    """The file is not an article we can index (binary, empty, undecodable, too large)."""


@dataclass(frozen=True)
class Parsed:
    """A format's reading of one file, before normalization and ids."""

    title: str
    body: str
    meta: dict[str, str] = field(default_factory=dict)


def normalize_text(text: str) -> str:
    """Canonical form of article text: NFC, Unix newlines, no trailing blanks.

    Offsets are computed on this form, so it must be deterministic and idempotent.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "")
    # Drop control characters except newline and tab: they break display and tokenizers.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def decode_bytes(raw: bytes, name: str) -> str:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else detected.

    Raises UnreadableArticle for binary content.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if b"\x00" in raw[:8192]:
        raise UnreadableArticle("binary_file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # The corpus is French: its legacy encoding is, overwhelmingly, Windows-1252/Latin-1.
        # Detectors guess wrong on short French texts (cp1250 for "très à où").
        decoded = raw.decode("cp1252")
        if not any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in decoded):
            return decoded
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only needed for other legacy encodings

    best = from_bytes(raw).best()
    if best is None:
        raise UnreadableArticle("undecodable")
    return str(best)


def title_from_stem(stem: str) -> str:
    """A readable title made from a file name, for articles that carry none."""
    return stem.replace("-", " ").replace("_", " ").strip().capitalize()


def split_title_line(text: str) -> tuple[str, str] | None:
    """``(first line, rest)`` when the first line reads as a title, else None.

    A title is short, does not end like a sentence, and has text after it.
    """
    lines = text.split("\n", 1)
    first = lines[0].strip()
    if (
        len(lines) == 2
        and lines[1].strip()
        and first
        and len(first) <= TITLE_MAX_CHARS
        and not first.endswith(_SENTENCE_END)
    ):
        return first, lines[1]
    return None


def without_title_line(body: str, title: str) -> str:
    """``body`` without its first line when that line is the title (a page's ``<h1>``).

    The title is the article's own field: kept in the body too, it would be read as the
    first sentence, quoted and cited like one, and a page fetched by URL would repeat it
    under its front matter's ``title:``. Only a line that is the title itself goes
    (spaces and case aside); a body that is nothing but the title stays.
    """
    first, _, rest = body.lstrip().partition("\n")
    if rest.strip() and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip("\n")
    return body
