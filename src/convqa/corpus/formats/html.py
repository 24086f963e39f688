"""Saved or fetched HTML pages: main text, title, URL, date and language via trafilatura."""

from __future__ import annotations

from convqa.corpus.formats.base import Parsed, UnreadableArticle, decode_bytes, title_from_stem, without_title_line


def parse_html(data: bytes, name: str, stem: str) -> Parsed:
    """Extract the article of an HTML page; navigation, scripts and comments are left out."""
    return parse_html_text(decode_bytes(data, name), stem)


def parse_html_text(text: str, stem: str) -> Parsed:
    """``parse_html`` for a page already decoded (e.g. with the charset its server declared)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None or not (doc.text or "").strip():
        raise UnreadableArticle("no_html_text")
    meta = {"source": doc.url or "", "date": doc.date or "", "lang": doc.language or ""}
    title = doc.title or title_from_stem(stem)
    # The page's heading is its title again: out of the body, as a PDF's and a text file's are.
    return Parsed(title, without_title_line(doc.text, title), {k: v for k, v in meta.items() if v})
