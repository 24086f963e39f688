"""Plain text articles: the first line is the title when it is short and not a sentence."""

from __future__ import annotations

from convqa.corpus.formats.base import Parsed, decode_bytes, normalize_text, split_title_line, title_from_stem


def parse_text(data: bytes, name: str, stem: str) -> Parsed:
    """Read a plain text file (any of the encodings ``decode_bytes`` knows)."""
    text = normalize_text(decode_bytes(data, name))
    titled = split_title_line(text)
    if titled:
        return Parsed(titled[0], titled[1])
    return Parsed(title_from_stem(stem), text)
