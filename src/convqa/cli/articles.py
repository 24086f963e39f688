"""The article commands of ``convqa``: ``articles`` (what is indexed) and ``remove ID``.

Both read the index without the embedding model (convqa.index.catalog); ``remove`` then
re-indexes, which deletes the article's passages from both indexes and, having nothing to
embed, loads no model either.
"""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlsplit

import typer

from convqa import build_index
from convqa.cli.common import (
    ChromaUrl,
    CorpusDir,
    DataDir,
    Json,
    fail,
    print_report,
    quiet_libraries,
    require_index,
    settings_from,
)
from convqa.errors import ConvqaError
from convqa.index.catalog import ArticleInfo, delete_article_file, list_articles


def articles(data_dir: DataDir = None, chroma_url: ChromaUrl = None, as_json: Json = False) -> None:
    """List the indexed articles: id, date, passages, title and source."""
    quiet_libraries()
    try:
        settings = settings_from(data_dir=data_dir, chroma_url=chroma_url)
        require_index(settings)
        found = list_articles(settings)
    except ConvqaError as exc:
        fail(str(exc), 1)
    if as_json:
        typer.echo(json.dumps([a.to_dict() for a in found], ensure_ascii=False))
        return
    if not found:
        typer.echo("no article is indexed")
        return
    _print_table(found)


def _print_table(found: list[ArticleInfo]) -> None:
    """One row an article, its columns aligned whatever the ids' lengths; the source's site
    goes under the title, so 80 columns are enough (a long title wraps within its column;
    the whole URL is in ``--json``)."""
    # lazy: rich draws only this table; --help and the other commands need not load it
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
    table.add_column("ID", no_wrap=True)
    table.add_column("DATE", no_wrap=True)
    table.add_column("PASSAGES", justify="right", no_wrap=True)
    table.add_column("TITLE", overflow="fold")
    for a in found:
        site = urlsplit(a.source).netloc.removeprefix("www.") if a.source else ""
        table.add_row(a.doc_id, a.date or "-", str(a.passages), a.title + (f"\n{site}" if site else ""))
    # Plain text unless the output is a terminal (rich's own test): no colour codes in a pipe.
    console = Console(highlight=False, markup=False, emoji=False)
    with console.capture() as drawn:
        console.print(table)
    for line in drawn.get().splitlines():
        typer.echo(line.rstrip())  # rich pads every cell to its column's width


def remove(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id, as `convqa articles` lists it.")],
    corpus: CorpusDir = None,
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
    as_json: Json = False,
) -> None:
    """Delete an article: its file from the corpus folder, then its passages from both indexes."""
    quiet_libraries()
    try:
        settings = settings_from(corpus_dir=corpus, data_dir=data_dir, chroma_url=chroma_url)
        require_index(settings)
        removed = delete_article_file(settings, doc_id)
        report = build_index(settings)
    except ConvqaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        fail("interrupted: run `convqa index` to finish removing the passages", 130)
    if as_json:
        typer.echo(json.dumps({"removed": removed.to_dict(), "index": report.to_dict()}, ensure_ascii=False))
        return
    typer.echo(f"removed {removed.file}: {removed.title}")
    print_report(report, False)
