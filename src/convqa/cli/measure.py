"""The measuring commands of ``convqa``: ``eval`` and ``train-reader``.

Like every command, they import their heavy modules only when run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from convqa.cli.common import GeneratorName, Json, fail, quiet_libraries, setting_help, settings_from
from convqa.errors import ConvqaError
from convqa.evaluation.report import table

ModelList = Annotated[
    Optional[str],
    typer.Option(
        "--models",
        help="Measure these embedding models one after the other, comma-separated "
        "(e.g. multilingual-e5-small,embeddinggemma-300m), and print one table (default: the configured model).",
    ),
]

English = Annotated[
    bool, typer.Option("--english", help="Ask the hand-translated English versions of 150 test questions instead.")
]


WithEnglish = Annotated[
    bool,
    typer.Option("--with-english", help="Also ask the 150 hand-translated English test questions, on the same index."),
]


def _checked_split(split: str | None, english: bool) -> str | None:
    """The split whose questions are asked: English questions are test questions."""
    if split not in (None, "tune", "test"):
        raise ConvqaError("bad_split", split=split)
    if english and split == "tune":
        raise ConvqaError("english_test_only")
    return "test" if english else split


#: The options of ``convqa eval``, named once so that its signature stays readable.
EvalLimit = Annotated[
    Optional[int], typer.Option("--limit", min=1, help="Use only the first N articles (default: all).")
]
EvalOut = Annotated[Path, typer.Option("--out", help="Folder for metrics.json, report.md, metrics.png.")]
EvalAnswerer = Annotated[
    Optional[str],
    typer.Option("--answerer", help=setting_help("blended, learned, sentences, reader or module:Class", "answerer")),
]
HeldOut = Annotated[
    bool, typer.Option("--held-out-articles", help="Also ask each test question without its own article (abstention).")
]
Variants = Annotated[
    Optional[str],
    typer.Option(
        "--variants",
        help="Also measure these answer steps, comma separated: sentences, sentences-rules (abstaining by its own thresholds), learned, reader-fp32, reader-bf16 (default: none).",
    ),
]
Split = Annotated[
    Optional[str],
    typer.Option(
        "--split", help="Ask only this split's questions, tune or test (default: both); all articles are indexed."
    ),
]
KeepIndex = Annotated[
    Optional[Path],
    typer.Option(
        "--keep-index",
        help="Build the corpus and index in DIR/<model> and keep them: a later run with the same DIR only "
        "syncs (its index figures then time an unchanged sync; no LangChain baseline) (default: a temporary folder).",
    ),
]
NearMiss = Annotated[
    bool, typer.Option("--near-miss", help="Also ask each test question without its own paragraph (abstention).")
]


def eval_command(
    dataset: Annotated[Path, typer.Option("--dataset", help="SQuAD-format JSON file (e.g. PIAF).")],
    limit: EvalLimit = None,
    k: Annotated[int, typer.Option("--k", min=1, max=20, help="Citations per answer.")] = 10,
    out: EvalOut = Path("eval-out"),
    generator: GeneratorName = None,
    answerer: EvalAnswerer = None,
    held_out_articles: HeldOut = False,
    near_miss: NearMiss = False,
    variants: Variants = None,
    split: Split = None,
    models: ModelList = None,
    english: English = False,
    with_english: WithEnglish = False,
    keep_index: KeepIndex = None,
    as_json: Json = False,
) -> None:
    """Measure retrieval, quotes, answers and speed on a SQuAD-format dataset, against baselines."""
    quiet_libraries()
    try:
        split = _checked_split(split, english)
        settings = settings_from(generator=generator, answerer=answerer)
        options = dict(
            limit=limit,
            k=k,
            settings=settings,
            held_out_articles=held_out_articles,
            variants=[v.strip() for v in variants.split(",") if v.strip()] if variants else None,
            split=split,
            english=english,
            near_miss=near_miss,
            with_english=with_english and not english,
            keep_index=keep_index,
        )
        text = _compare_models(models, dataset, out, options, as_json) if models else None
        metrics = _run_one(dataset, out, options) if not models else {}
    except ConvqaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    if text is not None:
        typer.echo(text)
    elif as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False, default=str))
    else:
        typer.echo(table(metrics))
        typer.echo(f"reports in {out}/ (metrics.json, report.md, metrics.png, questions.jsonl)")


def _run_one(dataset: Path, out: Path, options: dict) -> dict:
    """One evaluation run's metrics."""
    # lazy: keeps langchain and numpy off --help
    from convqa.evaluation.run import run_eval

    return run_eval(dataset, out, **options)


def _compare_models(models: str, dataset: Path, out: Path, options: dict, as_json: bool) -> str:
    """``eval --models``: each model's run, then one table (or its JSON)."""
    # lazy: keeps langchain and numpy off --help
    from convqa.evaluation.compare import compare_models, comparison_table

    result = compare_models([m.strip() for m in models.split(",") if m.strip()], dataset, out, **options)
    if as_json:
        return json.dumps(result["models"])
    return comparison_table(result) + f"\nreports in {out}/<model>/ and {out}/models.json"


def train_reader_command(
    dataset: Annotated[
        Path, typer.Option("--dataset", help="SQuAD-format JSON file (PIAF); only its tune split is read.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for reader.safetensors and reader.json.")],
    epochs: Annotated[int, typer.Option("--epochs", min=1, max=10, help="Passes over the tune questions.")] = 2,
    limit: Annotated[
        Optional[int], typer.Option("--limit", min=1, help="Train on N questions only, a smoke run (default: all).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 13,
    as_json: Json = False,
) -> None:
    """Train the reader on a dataset's tune split (about an hour on 2 cores; see README)."""
    quiet_libraries()
    try:
        if not dataset.is_file():
            raise ConvqaError("dataset_not_found", file=dataset)
        # lazy: keeps numpy off --help
        from convqa.training.reader import TrainOptions, train_reader

        result = train_reader(
            dataset, out, settings_from(), TrainOptions(epochs=epochs, limit_questions=limit, seed=seed)
        )
    except ConvqaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        fail("interrupted: nothing was written", 130)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        figures = result["figures"]
        typer.echo(
            f"reader written to {out} (sha256 {result['config']['sha256'][:12]}); dev: right sentence first "
            f"{figures['dev_sentence_first']:.3f}, span F1 {figures['dev_span_f1'] or 0:.3f}, trained in "
            f"{figures['train_seconds'] / 60:.1f} min"
        )
