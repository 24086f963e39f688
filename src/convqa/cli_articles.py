"""The article commands of ``convqa``: ``articles`` (what is indexed) and ``remove ID``.

Registered on the main typer app when ``convqa.cli`` loads. Both read the index without
the embedding model (convqa.index.catalog); ``remove`` then re-indexes, which deletes the
article's passages from both indexes and, having nothing to embed, loads no model either.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from convqa.cli import ChromaUrl, CorpusDir, DataDir, Json, _fail, _print_report, _quiet_libraries, _settings, app
from convqa.errors import ConvqaError
from convqa.settings import Settings


def _indexed_settings(**overrides) -> Settings:
    """Settings of an existing index; ConvqaError when there is none yet."""
    settings = _settings(**overrides)
    if not settings.chroma_url and not (settings.data_dir / "chroma").is_dir():
        raise ConvqaError("no_index", folder=settings.data_dir)
    return settings


@app.command()
def articles(data_dir: DataDir = None, chroma_url: ChromaUrl = None, as_json: Json = False) -> None:
    """List the indexed articles: id, date, passages, title and source."""
    _quiet_libraries()
    try:
        from convqa.index.catalog import list_articles

        found = list_articles(_indexed_settings(data_dir=data_dir, chroma_url=chroma_url))
    except ConvqaError as exc:
        _fail(str(exc), 1)
    if as_json:
        typer.echo(json.dumps([a.to_dict() for a in found], ensure_ascii=False))
        return
    if not found:
        typer.echo("no article is indexed")
    for a in found:
        typer.echo(f"{a.doc_id}  {a.date or '-':<10}  {a.passages:>4} passages  {a.title}" + (f" — {a.source}" if a.source else ""))


@app.command()
def remove(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id, as `convqa articles` lists it.")],
    corpus: CorpusDir = None,
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
    as_json: Json = False,
) -> None:
    """Delete an article: its file from the corpus folder, then its passages from both indexes."""
    _quiet_libraries()
    try:
        settings = _indexed_settings(corpus_dir=corpus, data_dir=data_dir, chroma_url=chroma_url)
        from convqa.index.builder import build_index
        from convqa.index.catalog import delete_article_file

        removed = delete_article_file(settings, doc_id)
        report = build_index(settings)
    except ConvqaError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted: run `convqa index` to finish removing the passages", 130)
    if as_json:
        typer.echo(json.dumps({"removed": removed.to_dict(), "index": report.to_dict()}, ensure_ascii=False))
        return
    typer.echo(f"removed {removed.file}: {removed.title}")
    _print_report(report, False)
