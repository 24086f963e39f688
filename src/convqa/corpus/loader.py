"""Read every article of the corpus folder into clean text plus metadata.

Formats: plain text (first short line is the title), Markdown with YAML front matter,
and saved HTML pages (main text and metadata extracted by trafilatura). A file that
cannot be read is skipped with a warning naming it; the rest of the corpus still loads.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from convqa.errors import CorpusError

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_TITLE_MAX_CHARS = 150


class UnreadableArticle(Exception):
    """The file is not an article we can index (binary, empty, undecodable, too large)."""


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
    extra: dict[str, str] = field(default_factory=dict, compare=False)


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
        raise UnreadableArticle("binary file (NUL bytes), not an article")
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
        raise UnreadableArticle("cannot decode the text (unknown encoding)")
    return str(best)


def slugify(value: str) -> str:
    """A stable, file-system and URL safe id from a file name or title."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").lower()
    return value[:80] or "article"


def _from_plain(text: str, stem: str) -> tuple[str, str, dict[str, str]]:
    lines = text.split("\n", 1)
    first = lines[0].strip()
    if len(lines) == 2 and lines[1].strip() and len(first) <= _TITLE_MAX_CHARS and not first.endswith((".", "!", "?", ":", ";", ",")):
        return first, lines[1], {}
    return stem.replace("-", " ").replace("_", " ").strip().capitalize(), text, {}


def _from_markdown(text: str, stem: str) -> tuple[str, str, dict[str, str]]:
    import frontmatter

    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # malformed YAML: a user mistake, say which file
        raise UnreadableArticle(f"front matter cannot be parsed ({exc.__class__.__name__})") from exc
    meta = {k: str(v) for k, v in post.metadata.items() if v is not None}
    body = post.content
    title = meta.pop("title", "")
    if not title:
        match = re.match(r"\s*#\s+(.+)\n", body)
        if match:
            title, body = match.group(1).strip(), body[match.end():]
        else:
            title = stem.replace("-", " ").capitalize()
    return title, body, meta


def _from_html(text: str, stem: str) -> tuple[str, str, dict[str, str]]:
    import trafilatura

    doc = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None or not (doc.text or "").strip():
        raise UnreadableArticle("no article text found in the HTML page")
    meta = {"source": doc.url or "", "date": doc.date or "", "lang": doc.language or ""}
    return (doc.title or stem.replace("-", " ").capitalize()), doc.text, {k: v for k, v in meta.items() if v}


def read_article(path: Path, max_bytes: int = 5_000_000, root: Path | None = None) -> Article:
    """Read one article file into an Article. Raises UnreadableArticle with a reason."""
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise UnreadableArticle(f"unsupported file type {suffix or '(none)'}")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableArticle("empty file")
    if size > max_bytes:
        raise UnreadableArticle(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")
    raw = decode_bytes(path.read_bytes(), path.name)
    stem = path.stem
    if suffix in (".md", ".markdown"):
        title, body, meta = _from_markdown(raw, stem)
    elif suffix in (".html", ".htm"):
        title, body, meta = _from_html(raw, stem)
    else:
        title, body, meta = _from_plain(normalize_text(raw), stem)
    body = normalize_text(body)
    if not body:
        raise UnreadableArticle("no text after the title and metadata")
    rel = path.relative_to(root) if root else Path(path.name)
    doc_id = meta.pop("id", "") or slugify(str(rel.with_suffix("")))
    return Article(
        doc_id=doc_id,
        title=normalize_text(title).replace("\n", " ") or doc_id,
        text=body,
        source=meta.pop("source", meta.pop("url", "")),
        date=meta.pop("date", ""),
        lang=meta.pop("lang", meta.pop("language", "")) or "fr",
        path=str(rel),
        extra=meta,
    )


def iter_article_files(corpus_dir: Path) -> list[Path]:
    """All candidate article files below the corpus folder, in a stable order."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    return sorted(
        p for p in corpus_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def load_corpus(corpus_dir: Path, max_bytes: int = 5_000_000) -> tuple[list[Article], list[str]]:
    """Load every readable article; return them with one warning line per skipped file."""
    articles: list[Article] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for path in iter_article_files(corpus_dir):
        rel = path.relative_to(corpus_dir)
        if path.is_symlink() or any(parent.is_symlink() for parent in rel.parents if str(parent) != "."):
            # A link can point anywhere on the machine: the corpus is what lies in its folder.
            warnings.append(f"skipped {rel}: symbolic link, not followed")
            continue
        if path.suffix.lower() not in ARTICLE_SUFFIXES:
            warnings.append(f"skipped {rel}: unsupported file type {path.suffix or '(none)'}")
            continue
        try:
            article = read_article(path, max_bytes=max_bytes, root=corpus_dir)
        except (UnreadableArticle, UnicodeDecodeError, OSError) as exc:
            warnings.append(f"skipped {rel}: {exc}")
            continue
        if article.doc_id in seen:
            warnings.append(f"skipped {rel}: same article id {article.doc_id!r} as {seen[article.doc_id]}")
            continue
        seen[article.doc_id] = str(rel)
        articles.append(article)
    for line in warnings:
        log.warning(line)
    return articles, warnings

