"""Save an uploaded file or a pasted article into the corpus folder, safely.

What reaches the corpus folder has been read back by the loader first: the bytes are
written to a hidden temporary file inside the folder (the loader skips hidden files),
parsed with ``read_article``, and only then linked under their final name, which never
replaces an existing file. A refused file leaves the folder exactly as it was, so
nothing already indexed is lost. File names are reduced to a slug of their base name:
a name like ``../../etc/passwd.txt`` becomes ``passwd.txt`` inside the corpus folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from convqa.corpus.formats.registry import format_for, suffix_label
from convqa.corpus.language import detect_language
from convqa.corpus.loader import UnreadableArticle, load_corpus, read_article, slugify
from convqa.errors import CorpusError
from convqa.messages import Message

_MAX_TITLE_CHARS = 300
_MAX_SOURCE_CHARS = 2000
_MAX_NAME_ATTEMPTS = 1000
# Articles already in the folder are read whatever their size: their ids and texts must be known.
_EXISTING_MAX_BYTES = 1 << 40


@dataclass(frozen=True)
class SavedArticle:
    """Where an article landed and whether the corpus changed."""

    path: Path  # final location, inside the corpus folder
    doc_id: str
    title: str
    created: bool  # False when the same article was already there (nothing written)
    message: Message  # one line for the user (a str: its English text)


def safe_filename(name: str) -> str:
    """The base name of ``name`` reduced to ``slug.suffix``; CorpusError for other types.

    Directory parts (``/`` or ``\\``) are dropped, so the result never leaves the folder.
    """
    base = PurePosixPath(str(name).replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    if format_for(base, uploads=True) is None:
        shown = suffix or "(none)"
        raise CorpusError("type_not_accepted", name=base or "file", suffix=shown, types=suffix_label())
    return slugify(base[: -len(suffix)]) + suffix


def markdown_article(title: str, text: str, source: str = "", date: str = "", lang: str = "") -> str:
    """A Markdown article with YAML front matter: plain keys (``title: …``), each value
    quoted by PyYAML only where YAML needs it (``'2025-06-03'`` stays a string, not a date)."""
    import frontmatter

    meta = {"title": title}
    for key, value in (("source", source), ("date", date), ("lang", lang)):
        if value:
            meta[key] = value
    # One line a value (no folding of a long title); the keys in this order, not sorted.
    return frontmatter.dumps(frontmatter.Post(text.strip(), **meta), sort_keys=False, width=10_000) + "\n"


def _clean_line(value: str, too_long: str, limit: int) -> str:
    """``value`` on one printable line; CorpusError(``too_long``) when over ``limit`` characters."""
    value = re.sub(r"\s+", " ", "".join(ch for ch in str(value or "") if ch.isprintable() or ch.isspace())).strip()
    if len(value) > limit:
        raise CorpusError(too_long, chars=len(value), limit=limit)
    return value


def check_source_url(source: str) -> str:
    """The source URL, or '' when empty; CorpusError unless it is an http(s) URL."""
    source = _clean_line(source, "source_too_long", _MAX_SOURCE_CHARS)
    if not source:
        return ""
    try:
        host = urlsplit(source).hostname
    except ValueError:
        host = None
    if not host or not re.fullmatch(r"https?://[^\s<>\"]+", source, flags=re.IGNORECASE):
        raise CorpusError("source_not_http", source=source[:80])
    return source


def _existing(corpus_dir: Path, max_bytes: int) -> list:
    articles, _ = load_corpus(corpus_dir, max_bytes, quiet=True)
    return articles


def _same_bytes(corpus_dir: Path, digest: str, size: int) -> Path | None:
    for path in corpus_dir.rglob("*"):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        try:
            if path.stat().st_size == size and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                return path
        except OSError:
            continue
    return None


def _link_no_replace(tmp: Path, target: Path) -> bool:
    """Give ``tmp`` the name ``target`` unless that name exists; True when done."""
    try:
        os.link(tmp, target)  # atomic, and fails instead of replacing an existing file
    except FileExistsError:
        return False
    except OSError:
        # File systems without hard links: exclusive create of the name, then replace it.
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        os.close(fd)
        os.replace(tmp, target)
        return True
    tmp.unlink()
    return True


def save_article_bytes(data: bytes, filename: str, corpus_dir: Path, *, max_bytes: int) -> SavedArticle:
    """Validate ``data`` as an article named ``filename`` and add it to ``corpus_dir``.

    Refusals raise CorpusError with a one-line message and write nothing: wrong type,
    empty or over ``max_bytes``, unreadable (binary, bad encoding, no text), or an
    article id already used by another file. The same bytes or the same text already
    in the corpus is a no-op (``created=False``). A name already taken by a different
    article gets a numeric suffix (``name-2.md``); no existing file is ever replaced.
    """
    name = safe_filename(filename)
    shown = PurePosixPath(str(filename).replace("\\", "/")).name or name
    if not data:
        raise CorpusError("named", name=shown, reason=Message("empty_file"))
    if len(data) > max_bytes:
        raise CorpusError(
            "named", name=shown, reason=Message("over_limit", mb=len(data) / 1e6, limit_mb=max_bytes / 1e6)
        )
    corpus_dir = Path(corpus_dir)
    try:
        corpus_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorpusError("cannot_create_corpus", folder=corpus_dir, reason=exc.strerror) from None

    twin = _same_bytes(corpus_dir, hashlib.sha256(data).hexdigest(), len(data))
    if twin is not None:
        try:
            article = read_article(twin, max_bytes=max(max_bytes, twin.stat().st_size), root=corpus_dir)
        except (UnreadableArticle, UnicodeDecodeError, OSError):
            pass  # the same unreadable bytes: the checks below say why they are refused
        else:
            return SavedArticle(
                twin,
                article.doc_id,
                article.title,
                False,
                Message("named", name=shown, reason=Message("already_there", file=twin.relative_to(corpus_dir))),
            )

    # A hidden folder (the loader skips it) holding the file under its final base name,
    # so a title derived from the file name is the one the index will see.
    staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=corpus_dir))
    tmp = staging / name
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        return _place_staged(tmp, shown, corpus_dir, max_bytes)
    finally:
        tmp.unlink(missing_ok=True)
        staging.rmdir()


def _place_staged(tmp: Path, shown: str, corpus_dir: Path, max_bytes: int) -> SavedArticle:
    """Read the staged file ``tmp`` and link it into the corpus under the first free name
    (``name``, ``name-2``...); the same text already there is a no-op."""
    name = tmp.name
    stem, suffix = name.rsplit(".", 1)
    try:
        article = read_article(tmp, max_bytes=max_bytes)
    except (UnreadableArticle, UnicodeDecodeError) as exc:
        raise CorpusError("named", name=shown, reason=exc) from None

    existing = _existing(corpus_dir, _EXISTING_MAX_BYTES)
    for other in existing:
        if other.text == article.text:
            return SavedArticle(
                corpus_dir / other.path,
                other.doc_id,
                other.title,
                False,
                Message("named", name=shown, reason=Message("same_text", file=other.path)),
            )
    used_ids = {a.doc_id: a.path for a in existing}
    explicit_id = article.doc_id != slugify(stem)  # an ``id:`` in the front matter
    if explicit_id and article.doc_id in used_ids:
        raise CorpusError(
            "named", name=shown, reason=Message("id_taken", doc_id=article.doc_id, file=used_ids[article.doc_id])
        )

    for attempt in range(1, _MAX_NAME_ATTEMPTS + 1):
        candidate = name if attempt == 1 else f"{stem}-{attempt}.{suffix}"
        doc_id = article.doc_id if explicit_id else slugify(candidate.rsplit(".", 1)[0])
        target = corpus_dir / candidate
        if doc_id in used_ids or target.exists():
            continue
        if _link_no_replace(tmp, target):
            final = read_article(target, max_bytes=max_bytes, root=corpus_dir)
            said = (
                Message("saved", file=candidate, title=final.title)
                if attempt == 1
                else Message("saved_renamed", file=candidate, taken=name, title=final.title)
            )
            return SavedArticle(target, final.doc_id, final.title, True, said)
    raise CorpusError("named", name=shown, reason=Message("no_free_name", name=name))


def save_upload(path: Path, corpus_dir: Path, *, max_bytes: int, filename: str | None = None) -> SavedArticle:
    """Add the uploaded file at ``path`` (shown to the user as ``filename``) to the corpus."""
    path = Path(path)
    filename = filename or path.name
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(
                "named", name=filename, reason=Message("over_limit", mb=size / 1e6, limit_mb=max_bytes / 1e6)
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError("named", name=filename, reason=Message("upload_unreadable", reason=exc.strerror)) from None
    return save_article_bytes(data, filename, corpus_dir, max_bytes=max_bytes)


def save_pasted(title: str, text: str, corpus_dir: Path, *, source: str = "", max_bytes: int) -> SavedArticle:
    """Add a pasted article (title, optional source URL, text) as a Markdown file."""
    return save_markdown(
        title, text, corpus_dir, source=source, lang=detect_language(str(text or "")[:2000]), max_bytes=max_bytes
    )


def save_markdown(
    title: str, text: str, corpus_dir: Path, *, source: str = "", date: str = "", lang: str = "", max_bytes: int
) -> SavedArticle:
    """Add an article given as title, text and metadata, as a Markdown file with front matter.

    The title and source are checked as for a pasted article; the file is named after
    the title and saved by ``save_article_bytes`` (never overwriting, nothing on refusal).
    """
    title = _clean_line(title, "title_too_long", _MAX_TITLE_CHARS)
    if not title:
        raise CorpusError("needs_title")
    source = check_source_url(source)
    text = str(text or "").strip()
    if not any(ch.isalnum() for ch in text):
        raise CorpusError("text_empty")
    document = markdown_article(title, text, source=source, date=_clean_line(date, "date_too_long", 100), lang=lang)
    return save_article_bytes(document.encode("utf-8"), f"{slugify(title)[:60]}.md", corpus_dir, max_bytes=max_bytes)
