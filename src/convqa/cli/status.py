"""``convqa status``: what is indexed, read from the stores without the embedding model."""

from __future__ import annotations

import json

import typer

from convqa.cli.common import ChromaUrl, DataDir, Json, Model, fail, quiet_libraries, settings_from
from convqa.errors import ConvqaError
from convqa.index.catalog import index_status
from convqa.index.faults import server_faults


def status(data_dir: DataDir = None, model: Model = None, chroma_url: ChromaUrl = None, as_json: Json = False) -> None:
    """What is indexed: articles, chunks, model, store, and whether the indexes agree."""
    quiet_libraries()
    try:
        settings = settings_from(data_dir=data_dir, model=model, chroma_url=chroma_url)
        if not settings.chroma_url and not settings.data_dir.is_dir():
            raise ConvqaError("no_index", folder=settings.data_dir)
        with server_faults(settings):  # a server that is down: one line
            info = index_status(settings)  # counts only: neither torch nor the model is loaded
    except ConvqaError as exc:
        fail(str(exc), 1)
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            if key == "indexer" and value is None:  # the only indexer of its store (JSON keeps null)
                value = "default"
            typer.echo(f"{key:>15}: {value}")
