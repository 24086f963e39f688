"""Markdown articles with optional YAML front matter (title, source, date, lang, id)."""

from __future__ import annotations

import re

from convqa.corpus.formats.base import Parsed, UnreadableArticle, decode_bytes, title_from_stem


def parse_markdown(data: bytes, name: str, stem: str) -> Parsed:
    """Read front matter as metadata; without a ``title:``, a leading ``# heading`` is the title."""
    import frontmatter

    text = decode_bytes(data, name)
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # malformed YAML: a user mistake, say which file
        raise UnreadableArticle("front_matter_unreadable", error=exc.__class__.__name__) from exc
    meta = {k: str(v) for k, v in post.metadata.items() if v is not None}
    body = post.content
    title = meta.pop("title", "")
    if not title:
        match = re.match(r"\s*#\s+(.+)\n", body)
        if match:
            title, body = match.group(1).strip(), body[match.end() :]
        else:
            title = title_from_stem(stem)
    return Parsed(title, body, meta)
