"""Facts about where an evaluation runs: its folder, the code's commit, the models' folder, disk use."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def workspace(model: str, keep_index: Path | None) -> Iterator[Path]:
    """A run's folder for its corpus and stores: a temporary one, or ``keep_index/<model>``,
    made and left in place for the next run."""
    if keep_index is not None:
        kept = keep_index / Path(model).name
        kept.mkdir(parents=True, exist_ok=True)
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="convqa-eval-") as tmp:
        yield Path(tmp)


def share_models(source: Path, data_dir: Path) -> None:
    """Let a fresh data dir use the models installed in ``source`` (a link to its models/).

    An evaluation runs on a temporary store, but an installed model (1.2 GB for
    embeddinggemma-300m) is installed once, in the caller's data dir.
    """
    models = (source / "models").resolve()
    if models.is_dir() and not (data_dir / "models").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "models").symlink_to(models, target_is_directory=True)


def code_version() -> dict:
    """The git commit of the evaluated code and whether the work tree differs from it."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if commit.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def folder_mb(folder: Path, skip: tuple[str, ...] = ()) -> float | None:
    """Megabytes of the files under ``folder`` (top-level entries in ``skip`` left out);
    None when it is not a folder (a model given by a cached name)."""
    if not folder.is_dir():
        return None
    total = 0
    for entry in folder.iterdir():
        if entry.name in skip:
            continue
        paths = [entry] if entry.is_file() else entry.rglob("*")
        total += sum(p.stat().st_size for p in paths if p.is_file() and not p.is_symlink())
    return round(total / 1e6, 1)
