"""The ONNX question encoder: the torch path's vectors, a damaged file refused, a cold ask without torch."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from paths import ROOT, SEED_CORPUS, SEED_ID

PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"
HEAVY = ("torch", "sentence_transformers", "transformers")
# Runs a convqa command in this process, then prints which heavy modules it imported.
PROBE = f"""
import json, sys
from convqa.cli import app
from convqa.offline import go_offline
go_offline()
try:
    app(sys.argv[1:], prog_name="convqa")
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def piaf_test_questions(n: int) -> list[str]:
    """The first ``n`` questions of PIAF's ``test`` articles, in file order."""
    from convqa.evaluation.dataset import split_of

    data = json.loads(PIAF.read_text(encoding="utf-8"))["data"]
    questions = [
        qa["question"]
        for article in data
        if split_of(article["title"]) == "test"
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    return questions[:n]


def data_dir_with_model(tmp_path: Path, embedder) -> Path:
    """A fresh data folder holding the session's converted model (a link), without its ONNX export."""
    data = tmp_path / "data"
    (data / "models").mkdir(parents=True)
    (data / "models" / embedder.spec.name).symlink_to(Path(embedder.path), target_is_directory=True)
    return data


@pytest.fixture(scope="module")
def onnx_folder(embedder, model_dir) -> Path:
    from convqa.model.onnx_encoder import ensure_onnx

    return ensure_onnx(embedder.spec, model_dir, Path(embedder.path))


@pytest.mark.skipif(not PIAF.is_file(), reason="needs ../shared/eval/piaf-v1.0.json")
def test_question_vectors_are_the_torch_paths(embedder, model_dir, onnx_folder):
    from convqa.model.onnx_encoder import OnnxQueryEncoder, load_query_encoder

    encoder = load_query_encoder(embedder.spec, model_dir)
    assert isinstance(encoder, OnnxQueryEncoder)
    questions = piaf_test_questions(40) + [
        "Qu'a promis la directrice de l'ONUDC ?",
        "What did the UNODC chief promise Vietnam?",
        "Un symbole inconnu ☃ et des  espaces\tmultiples ?",
        "mot " * 700,  # past the 512 tokens: truncated as sentence-transformers truncates
    ]
    torch_vectors = embedder.encode_queries(questions)
    onnx_vectors = np.concatenate([encoder.encode([q]) for q in questions])
    cosines = (torch_vectors * onnx_vectors).sum(1)
    assert cosines.min() >= 0.999, (cosines.argmin(), cosines.min())
    # A batch, padded to its longest question, gives each question's own vector.
    batch = encoder.encode(questions[:8])
    assert ((batch * onnx_vectors[:8]).sum(1) > 0.9999).all()
    # The spec's "query: " prompt is applied: without it the vectors move.
    bare = OnnxQueryEncoder(onnx_folder, Path(embedder.path), None).encode(questions[:1])
    assert float(bare[0] @ torch_vectors[0]) < 0.99


def test_a_damaged_export_is_one_warning_and_questions_go_through_torch(embedder, onnx_folder, tmp_path, caplog):
    from convqa.model.embedder import LazyEmbedder

    data = data_dir_with_model(tmp_path, embedder)
    copy = data / "models" / f"{embedder.spec.name}.onnx"
    copy.mkdir()
    for name in ("encoder.onnx", "encoder.json"):
        shutil.copy(onnx_folder / name, copy / name)
    (copy / "encoder.onnx.data").symlink_to(onnx_folder / "encoder.onnx.data")
    graph = bytearray((copy / "encoder.onnx").read_bytes())
    graph[len(graph) // 2] ^= 0xFF
    (copy / "encoder.onnx").write_bytes(bytes(graph))

    with caplog.at_level(logging.WARNING):
        lazy = LazyEmbedder(embedder.spec, data, onnx_queries=True)
    assert lazy.queries is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "sha256" in warnings[0] and "torch" in warnings[0]
    assert "\n" not in warnings[0]
    # The damaged file is left for the user to remove, not used, and the torch model answers.
    assert (copy / "encoder.onnx").read_bytes() == bytes(graph)
    question = "Quel organisme dirige Ghada Waly ?"
    assert float(lazy.encode_queries([question])[0] @ embedder.encode_queries([question])[0]) > 0.9999


def test_a_cold_ask_and_status_never_import_torch(embedder, tmp_path):
    from convqa.assistant import Assistant
    from convqa.settings import Settings

    data = data_dir_with_model(tmp_path, embedder)
    Assistant(Settings(corpus_dir=SEED_CORPUS, data_dir=data), embedder=embedder).index()
    assert not (data / "models" / f"{embedder.spec.name}.onnx").exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_")}
    env |= {
        "CONVQA_MODEL": embedder.spec.name,
        "CONVQA_DATA_DIR": str(data),
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
    }

    def run(*args: str) -> tuple[list[str], list[str]]:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
        *printed, imported = done.stdout.splitlines()
        return printed, json.loads(imported)

    # The first ask writes the ONNX export (numpy only), the next one loads it.
    for _ in range(2):
        printed, imported = run("ask", "--json", "Quel organisme dirige Ghada Waly ?")
        assert imported == []
        answer = json.loads("\n".join(printed))
        assert answer["citations"][0]["doc_id"] == SEED_ID and "ONUDC" in answer["citations"][0]["quote"]
    assert json.loads((data / "models" / f"{embedder.spec.name}.onnx" / "encoder.json").read_text())["sha256"]
    printed, imported = run("status", "--json")
    assert imported == [] and json.loads("\n".join(printed))["documents"] == 1
