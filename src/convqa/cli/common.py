"""What the ``convqa`` commands share: their options, their settings, one-line errors
and the index report.

Only typer, pydantic, the settings and plain-Python wording are imported here, so every
command module can import it and ``--help`` still answers at once.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer
from pydantic import ValidationError

from convqa.errors import ConvqaError
from convqa.settings import Settings

if TYPE_CHECKING:
    from convqa.index.report import IndexReport


def setting_help(text: str, name: str, default: object = None) -> str:
    """``text [env CONVQA_NAME, default …].``: an option that falls back on a setting.

    Such an option's own default is None (not given: the environment decides), so typer
    cannot show it; the help says the setting's default instead, read from Settings so
    the two never drift apart. ``default`` words a setting whose default is None.
    """
    shown = Settings.model_fields[name].default if default is None else default
    return f"{text} [env CONVQA_{name.upper()}, default {shown}]."


DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help=setting_help("Index folder", "data_dir"))]
CorpusDir = Annotated[Optional[Path], typer.Option("--corpus", help=setting_help("Articles folder", "corpus_dir"))]
Model = Annotated[Optional[str], typer.Option("--model", help=setting_help("Embedding model name or folder", "model"))]
ChromaUrl = Annotated[
    Optional[str],
    typer.Option(
        "--chroma-url", help=setting_help("Chroma server URL", "chroma_url", "none: a local store in the index folder")
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
GeneratorName = Annotated[
    Optional[str], typer.Option("--generator", help=setting_help("extractive, openai, ollama or llamacpp", "generator"))
]


def settings_from(**overrides: object) -> Settings:
    """One command's settings: its options (those given) over the ``CONVQA_*`` variables.

    A bad value is a ConvqaError naming the setting, so it prints as one line.
    """
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConvqaError("invalid_setting", name=".".join(map(str, first["loc"])), reason=first["msg"]) from None


def require_index(settings: Settings) -> None:
    """ConvqaError when there is no index yet: no Chroma server and no local Chroma folder."""
    if not settings.chroma_url and not (settings.data_dir / "chroma").is_dir():
        raise ConvqaError("no_index", folder=settings.data_dir)


def fail(message: str, code: int) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (1 a failure, 2 a refused input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def quiet_libraries() -> None:
    """Warnings only, prefixed ``warning:``; the libraries' own chatter is silenced."""
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    for name in ("chromadb", "httpx", "sentence_transformers", "transformers", "langchain_core", "bm25s"):
        logging.getLogger(name).setLevel(logging.ERROR)


def print_report(report: IndexReport, as_json: bool) -> None:
    """An index run's report: JSON (the chunk counts beside the articles and their passages) or
    one line, "1 article added (4 passages) — 4 articles (31 passages) in 1.2 s"."""
    keys = (
        "added",
        "updated",
        "skipped",
        "deleted",
        "documents",
        "chunks",
        "seconds",
        "articles_added",
        "articles_updated",
        "articles_deleted",
        "articles_unchanged",
        "passages_added",
        "passages_updated",
        "passages_deleted",
    )
    if as_json:
        typer.echo(
            json.dumps({k: getattr(report, k) for k in keys} | {"warnings": report.warnings}, ensure_ascii=False)
        )
        return
    if report.message:
        typer.echo(report.message)
    typer.echo(report.summary("en"))  # the CLI speaks English, like its errors
