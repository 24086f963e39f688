"""``convqa train-answerer``: trains the learned answer step from a dataset's tune split.

The retrievals are cached in ``--work`` (indexing PIAF and retrieving every tune question
under three conditions takes a few minutes, once); retraining reads the cache.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from convqa.cli.common import Json, fail, quiet_libraries, settings_from
from convqa.errors import ConvqaError
from convqa.settings import BUNDLED_MODEL

#: The shipped models' folder, one subfolder per embedding model (kept in step with
#: convqa.answer.learned.MODELS_DIR, which this module does not import: it loads numpy).
SHIPPED = Path(__file__).resolve().parent.parent / "answer" / "learned_models"


def train_answerer_command(
    dataset: Annotated[
        Path, typer.Option("--dataset", help="SQuAD-format JSON file (PIAF); only its tune split is read.")
    ],
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out",
            help="Folder for the models and manifest.json (default: the shipped ones of the configured "
            "embedding model, answer/learned_models/MODEL).",
        ),
    ] = None,
    work: Annotated[
        Path, typer.Option("--work", help="Folder for the index and the cached retrievals (reused).")
    ] = Path(".convqa-train"),
    limit: Annotated[
        Optional[int], typer.Option("--limit", min=1, help="Train on N questions only, a smoke run (default: all).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 13,
    as_json: Json = False,
) -> None:
    """Train the learned answer step on a dataset's tune split (minutes on 2 cores; see README)."""
    quiet_libraries()
    try:
        if not dataset.is_file():
            raise ConvqaError("dataset_not_found", file=dataset)
        from convqa.training.answer_data import build_answer_data, read_json_gz  # lazy: numpy, the model
        from convqa.training.train_answerer import train_answerer  # lazy: lightgbm

        settings = settings_from()
        out = out or SHIPPED / settings.model
        data = work / "answer-data.json.gz"
        cached = read_json_gz(data) if data.is_file() else {}
        if not cached or cached.get("limit") != limit or cached.get("model", BUNDLED_MODEL) != settings.model:
            data = build_answer_data(dataset, work, settings, limit=limit)
        manifest = train_answerer(data, work, out, seed=seed)
    except ConvqaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        fail("interrupted: the models already there were kept", 130)
    if as_json:
        typer.echo(json.dumps(manifest, ensure_ascii=False))
        return
    f = manifest["figures"]
    typer.echo(
        f"models written to {out}; dev ({f['dev_questions']} questions): right sentence first "
        f"{f['dev_sentence_first']}, held-out abstention {f['dev_held_out_abstention']}, near-miss "
        f"{f['dev_near_miss_abstention']} at {f['dev_ordinary_abstention']} ordinary, short answers "
        f"{f['dev_short_coverage']} of answers at precision {f['dev_short_precision']}; "
        f"trained in {f['train_seconds'] / 60:.1f} min"
    )
