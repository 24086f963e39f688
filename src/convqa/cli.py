"""The ``convqa`` command: index, add, ask, status, articles, remove, serve, eval.

Only typer and the settings are imported at module level, so ``--help`` answers at
once; the model and the stores load inside the commands that need them.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

import convqa  # noqa: F401  (sets the offline environment before anything loads)
from convqa.errors import BadQuestionError, ConvqaError
from convqa.settings import Settings

app = typer.Typer(
    help="Answers questions about news articles with the exact passages it relied on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are plain: "[env CONVQA_DATA_DIR, default .convqa]" is not rich markup.
    rich_markup_mode=None,
)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Index folder [env CONVQA_DATA_DIR, default .convqa].")]
CorpusDir = Annotated[Optional[Path], typer.Option("--corpus", help="Articles folder [env CONVQA_CORPUS_DIR, default corpus].")]
Model = Annotated[Optional[str], typer.Option("--model", help="Embedding model name or folder [env CONVQA_MODEL].")]
ChromaUrl = Annotated[Optional[str], typer.Option("--chroma-url", help="Chroma server URL [env CONVQA_CHROMA_URL].")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
GeneratorName = Annotated[
    Optional[str],
    typer.Option("--generator", help="extractive, openai, ollama or llamacpp [env CONVQA_GENERATOR, default extractive]."),
]


def _settings(**overrides) -> Settings:
    from pydantic import ValidationError

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConvqaError("invalid_setting", name=".".join(map(str, first["loc"])), reason=first["msg"]) from None


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _quiet_libraries() -> None:
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    for name in ("chromadb", "httpx", "sentence_transformers", "transformers", "langchain_core", "bm25s"):
        logging.getLogger(name).setLevel(logging.ERROR)


@app.command()
def index(
    corpus: CorpusDir = None,
    full: Annotated[bool, typer.Option("--full", help="Re-embed every article, even unchanged ones.")] = False,
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    as_json: Json = False,
) -> None:
    """Sync the index with the corpus folder (incremental: only changes are embedded)."""
    _quiet_libraries()
    try:
        settings = _settings(corpus_dir=corpus, data_dir=data_dir, model=model, chroma_url=chroma_url)
        from tqdm import tqdm

        from convqa.index.builder import build_index

        bar = tqdm(total=0, unit="chunk", desc="indexing", file=sys.stderr, disable=None, leave=False)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            report = build_index(settings, full=full, progress=progress)
        finally:
            bar.close()
    except ConvqaError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted: the previous index still answers; run `convqa index` again to finish", 130)
    _print_report(report, as_json)


def _print_report(report, as_json: bool) -> None:
    """An index run's report: JSON (chunk and article counts) or one line in articles and passages."""
    keys = ("added", "updated", "skipped", "deleted", "documents", "chunks", "seconds",
            "articles_added", "articles_updated", "articles_deleted", "articles_unchanged")
    if as_json:
        typer.echo(json.dumps({k: getattr(report, k) for k in keys} | {"warnings": report.warnings}, ensure_ascii=False))
        return
    from convqa.web.i18n import index_summary  # plain Python: the page's words, in English

    if report.message:
        typer.echo(report.message)
    typer.echo(index_summary(report.to_dict(), "en"))


@app.command()
def add(
    target: Annotated[str, typer.Argument(metavar="URL_OR_FILE", help="http(s) URL of a news page, or an article file.")],
    corpus: CorpusDir = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Also fetch from private and loopback addresses [env CONVQA_FETCH_ALLOW_PRIVATE].")
    ] = False,
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    as_json: Json = False,
) -> None:
    """Add one article (a web page fetched from its URL, or a file) to the corpus and index it."""
    _quiet_libraries()
    from convqa.corpus.fetch import FetchError, PageRefused
    from convqa.errors import CorpusError

    try:
        settings = _settings(
            corpus_dir=corpus, data_dir=data_dir, model=model, chroma_url=chroma_url, fetch_allow_private=allow_private or None
        )
        saved = _save_article(target, settings)
    except PageRefused as exc:
        _fail(str(exc), 2)
    except FetchError as exc:  # the network or the server failed, not the input
        _fail(str(exc), 1)
    except CorpusError as exc:  # the file or page was refused: nothing was written
        _fail(str(exc), 2)
    except ConvqaError as exc:
        _fail(str(exc), 1)
    try:
        from convqa.index.builder import build_index

        report = build_index(settings)
    except ConvqaError as exc:
        _fail(f"{saved.message}, but indexing failed: {exc}", 1)
    except KeyboardInterrupt:
        _fail(f"{saved.message}; indexing interrupted: run `convqa index` to finish", 130)
    if as_json:
        article = {"path": str(saved.path), "doc_id": saved.doc_id, "title": saved.title, "created": saved.created, "message": saved.message}
        typer.echo(json.dumps(article | {"index": report.to_dict()}, ensure_ascii=False))
    else:
        typer.echo(
            f"{saved.message}; index: {report.documents} articles, {report.chunks} chunks "
            f"({report.added} added, {report.updated} updated, {report.deleted} deleted) in {report.seconds:.1f} s"
        )


def _save_article(target: str, settings: Settings):
    """Save a URL (fetched) or a local file (upload checks) into the corpus; the SavedArticle."""
    import re

    from convqa.corpus.fetch import save_url
    from convqa.corpus.uploads import save_upload

    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", target):  # any scheme: save_url refuses all but http(s)
        return save_url(
            target, settings.corpus_dir, max_bytes=settings.max_upload_bytes, allow_private=settings.fetch_allow_private
        )
    from convqa.errors import CorpusError

    path = Path(target)
    if not path.is_file():
        raise CorpusError("no_such_file", file=target)
    return save_upload(path, settings.corpus_dir, max_bytes=settings.max_upload_bytes)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="The question, in French or English.")],
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    top_k: Annotated[Optional[int], typer.Option("--top-k", help="Passages to cite.")] = None,
    generator: GeneratorName = None,
    as_json: Json = False,
) -> None:
    """Answer a question from the indexed articles, with numbered sources."""
    _quiet_libraries()
    try:
        settings = _settings(data_dir=data_dir, model=model, chroma_url=chroma_url, top_k=top_k, generator=generator)
        from convqa.assistant import validate_question

        validate_question(question, settings.max_question_chars)  # fail fast, before loading the model
        if not settings.chroma_url and not (settings.data_dir / "chroma").is_dir():
            raise ConvqaError("no_index", folder=settings.data_dir)
        from convqa.assistant import Assistant

        assistant = Assistant(settings)
        if as_json or settings.generator == "extractive":
            answer = assistant.ask(question)
        else:
            answer = _stream_answer(assistant, question)
    except BadQuestionError as exc:
        _fail(str(exc), 2)
    except ConvqaError as exc:
        _fail(str(exc), 1)
    if as_json:
        data = answer.to_dict()
        keys = ("question", "answer", "short", "abstained", "citations", "timings")
        if settings.generator != "extractive":  # the default output keeps its documented shape
            keys += ("generator", "fallback_reason")
        typer.echo(json.dumps({k: data[k] for k in keys}, ensure_ascii=False))
        return
    if settings.generator == "extractive":
        typer.echo(answer.answer)
    if answer.citations:
        typer.echo("\nSources:")
    for c in answer.citations:
        typer.echo(f"[{c.n}] {c.title}" + (f" — {c.source}" if c.source else ""))
        typer.echo(f"    « {c.quote} » (characters {c.quote_start}–{c.quote_end} of {c.doc_id})")


def _stream_answer(assistant, question: str):
    """Print the model's tokens as they come, then which answer stands; returns the Answer."""
    streamed = False
    for item in assistant.ask_stream(question):
        if isinstance(item, str):
            typer.echo(item, nl=False)
            streamed = True
            continue
        answer = item
    if streamed:
        typer.echo()
    if answer.generator != "extractive":
        typer.echo(f"(generated by {answer.generator} · citations checked)", err=True)
    else:
        # The extractive answer replaces whatever the model wrote.
        typer.echo(f"({'model answer not kept' if streamed else 'extractive answer'}: {answer.fallback_reason})", err=True)
        typer.echo(answer.answer)
    return answer


@app.command()
def status(
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    as_json: Json = False,
) -> None:
    """What is indexed: articles, chunks, model, store, and whether the indexes agree."""
    _quiet_libraries()
    try:
        settings = _settings(data_dir=data_dir, model=model, chroma_url=chroma_url)
        if not settings.chroma_url and not settings.data_dir.is_dir():
            raise ConvqaError("no_index", folder=settings.data_dir)
        from convqa.index.catalog import index_status
        from convqa.index.faults import server_faults

        with server_faults(settings):  # a server that is down: one line
            info = index_status(settings)  # counts only: neither torch nor the model is loaded
    except ConvqaError as exc:
        _fail(str(exc), 1)
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            typer.echo(f"{key:>15}: {value}")


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind [env CONVQA_HOST].")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port [env CONVQA_PORT].")] = None,
    corpus: CorpusDir = None,
    data_dir: DataDir = None,
    model: Model = None,
    chroma_url: ChromaUrl = None,
    generator: GeneratorName = None,
) -> None:
    """Start the browser chat (Gradio) after syncing the index with the corpus."""
    _quiet_libraries()
    try:
        settings = _settings(host=host, port=port, corpus_dir=corpus, data_dir=data_dir, model=model, chroma_url=chroma_url, generator=generator)
        from convqa.web import launch

        launch(settings)
    except ConvqaError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:  # while indexing, before the server runs (it handles its own)
        _fail("interrupted", 130)


# The measuring and article commands live in their own modules; importing them registers them on ``app``.
import convqa.cli_articles  # noqa: E402,F401
import convqa.cli_measure  # noqa: E402,F401


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    # `python -m convqa.cli`: run the module's importable copy, on which cli_measure
    # registered its commands (this __main__ copy's app lacks them).
    from convqa.cli import main as _main

    _main()
