"""The measuring commands of ``convqa``: ``eval`` and ``train-reader``.

They are registered on the main typer app (``convqa.cli.app``) when that module loads;
like every command, they import their heavy modules only when run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from convqa.cli import GeneratorName, Json, _fail, _quiet_libraries, _settings, app
from convqa.errors import ConvqaError


@app.command("eval")
def eval_command(
    dataset: Annotated[Path, typer.Option("--dataset", help="SQuAD-format JSON file (e.g. PIAF).")],
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Use only the first N articles.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=20, help="Citations per answer.")] = 10,
    out: Annotated[Path, typer.Option("--out", help="Folder for metrics.json, report.md, metrics.png.")] = Path("eval-out"),
    generator: GeneratorName = None,
    answerer: Annotated[Optional[str], typer.Option("--answerer", help="reader, sentences or module:Class [env CONVQA_ANSWERER, default sentences].")] = None,
    held_out_articles: Annotated[bool, typer.Option("--held-out-articles", help="Also ask each test question without its own article (abstention).")] = False,
    variants: Annotated[Optional[str], typer.Option("--variants", help="Also run the test questions through these answer steps, comma-separated: sentences, reader-fp32, reader-bf16.")] = None,
    split: Annotated[Optional[str], typer.Option("--split", help="Ask only this split's questions (tune or test); all articles are indexed.")] = None,
    as_json: Json = False,
) -> None:
    """Measure retrieval, quotes, answers and speed on a SQuAD-format dataset, against baselines."""
    _quiet_libraries()
    try:
        if split not in (None, "tune", "test"):
            raise ConvqaError(f"--split must be tune or test, not {split!r}")
        settings = _settings(generator=generator, answerer=answerer)
        from convqa.evaluation.report import table
        from convqa.evaluation.run import run_eval

        metrics = run_eval(dataset, out, limit=limit, k=k, settings=settings, held_out_articles=held_out_articles,
                           variants=[v.strip() for v in variants.split(",") if v.strip()] if variants else None,
                           split=split)
    except ConvqaError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False, default=str))
    else:
        typer.echo(table(metrics))
        typer.echo(f"reports in {out}/ (metrics.json, report.md, metrics.png, questions.jsonl)")


@app.command("train-reader")
def train_reader_command(
    dataset: Annotated[Path, typer.Option("--dataset", help="SQuAD-format JSON file (PIAF); only its tune split is read.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for reader.safetensors and reader.json.")],
    epochs: Annotated[int, typer.Option("--epochs", min=1, max=10, help="Passes over the tune questions.")] = 2,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Train on N questions only (a smoke run).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 13,
    as_json: Json = False,
) -> None:
    """Train the reader on a dataset's tune split (about an hour on 2 cores; see README)."""
    _quiet_libraries()
    try:
        if not dataset.is_file():
            raise ConvqaError(f"dataset not found: {dataset}")
        from convqa.training.reader import TrainOptions, train_reader

        result = train_reader(dataset, out, _settings(), TrainOptions(epochs=epochs, limit_questions=limit, seed=seed))
    except ConvqaError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted: nothing was written", 130)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        figures = result["figures"]
        typer.echo(f"reader written to {out} (sha256 {result['config']['sha256'][:12]}); dev: right sentence first "
                   f"{figures['dev_sentence_first']:.3f}, span F1 {figures['dev_span_f1'] or 0:.3f}, trained in "
                   f"{figures['train_seconds'] / 60:.1f} min")
