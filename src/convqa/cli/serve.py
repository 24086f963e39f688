"""``convqa serve``: the browser chat. ``python app.py`` runs this same command."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from convqa.cli.common import (
    ChromaUrl,
    CorpusDir,
    DataDir,
    GeneratorName,
    Model,
    fail,
    quiet_libraries,
    setting_help,
    settings_from,
)
from convqa.errors import ConvqaError
from convqa.web import launch  # Gradio itself loads only when launch runs


def serve(
    host: Annotated[Optional[str], typer.Option(help=setting_help("Address to bind", "host"))] = None,
    port: Annotated[Optional[int], typer.Option(help=setting_help("Port", "port"))] = None,
    corpus: CorpusDir = None,
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    generator: GeneratorName = None,
) -> None:
    """Start the browser chat (Gradio) after syncing the index with the corpus."""
    quiet_libraries()
    try:
        settings = settings_from(
            host=host,
            port=port,
            corpus_dir=corpus,
            data_dir=data_dir,
            model=model,
            chroma_url=chroma_url,
            generator=generator,
        )
        launch(settings)
    except ConvqaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:  # while indexing, before the server runs (it handles its own)
        fail("interrupted", 130)
