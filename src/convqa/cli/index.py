"""The indexing commands of ``convqa``: ``index`` (sync with the corpus folder) and
``add URL_OR_FILE`` (save one article into the corpus, then sync).

An unchanged corpus loads no model: the builder embeds only what changed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from convqa import build_index
from convqa.cli.common import (
    ChromaUrl,
    CorpusDir,
    DataDir,
    Json,
    Model,
    fail,
    print_report,
    quiet_libraries,
    settings_from,
)
from convqa.corpus.fetch import FetchError, PageRefused, save_url
from convqa.corpus.uploads import SavedArticle, save_upload
from convqa.errors import ConvqaError, CorpusError
from convqa.settings import Settings


def index(
    corpus: CorpusDir = None,
    full: Annotated[bool, typer.Option("--full", help="Re-embed every article, even unchanged ones.")] = False,
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    as_json: Json = False,
) -> None:
    """Sync the index with the corpus folder (incremental: only changes are embedded)."""
    quiet_libraries()
    try:
        settings = settings_from(corpus_dir=corpus, data_dir=data_dir, model=model, chroma_url=chroma_url)
        # lazy: only indexing draws a bar, --help need not load it
        from tqdm import tqdm

        bars: list[tqdm] = []  # drawn at the first report, once the total is known (not "0chunk" first)

        def progress(done: int, total: int) -> None:
            if not bars:
                bars.append(
                    tqdm(total=total, unit="chunk", desc="indexing", file=sys.stderr, disable=None, leave=False)
                )
            bars[0].total = total
            bars[0].n = done
            bars[0].refresh()

        try:
            report = build_index(settings, full=full, progress=progress)
        finally:
            for bar in bars:
                bar.close()
    except ConvqaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        fail("interrupted: the previous index still answers; run `convqa index` again to finish", 130)
    print_report(report, as_json)


def add(
    target: Annotated[
        str, typer.Argument(metavar="URL_OR_FILE", help="http(s) URL of a news page, or an article file.")
    ],
    corpus: CorpusDir = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private", help="Also fetch from private and loopback addresses [env CONVQA_FETCH_ALLOW_PRIVATE]."
        ),
    ] = False,
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    as_json: Json = False,
) -> None:
    """Add one article (a web page fetched from its URL, or a file) to the corpus and index it."""
    quiet_libraries()
    try:
        settings = settings_from(
            corpus_dir=corpus,
            data_dir=data_dir,
            model=model,
            chroma_url=chroma_url,
            fetch_allow_private=allow_private or None,
        )
        saved = _save_article(target, settings)
    except PageRefused as exc:
        fail(str(exc), 2)
    except FetchError as exc:  # the network or the server failed, not the input
        fail(str(exc), 1)
    except CorpusError as exc:  # the file or page was refused: nothing was written
        fail(str(exc), 2)
    except ConvqaError as exc:
        fail(str(exc), 1)
    try:
        report = build_index(settings)
    except ConvqaError as exc:
        fail(f"{saved.message}, but indexing failed: {exc}", 1)
    except KeyboardInterrupt:
        fail(f"{saved.message}; indexing interrupted: run `convqa index` to finish", 130)
    if as_json:
        article = {
            "path": str(saved.path),
            "doc_id": saved.doc_id,
            "title": saved.title,
            "created": saved.created,
            "message": saved.message,
        }
        typer.echo(json.dumps(article | {"index": report.to_dict()}, ensure_ascii=False))
        return
    typer.echo(saved.message)
    print_report(report, False)


def _save_article(target: str, settings: Settings) -> SavedArticle:
    """Save a URL (fetched) or a local file (upload checks) into the corpus; the SavedArticle."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", target):  # any scheme: save_url refuses all but http(s)
        return save_url(
            target, settings.corpus_dir, max_bytes=settings.max_upload_bytes, allow_private=settings.fetch_allow_private
        )
    path = Path(target)
    if not path.is_file():
        raise CorpusError("no_such_file", file=target)
    return save_upload(path, settings.corpus_dir, max_bytes=settings.max_upload_bytes)
