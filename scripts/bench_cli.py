#!/usr/bin/env python3
"""How fast the convqa command starts and encodes a question, against this machine's own floor.

The floor is a bare Python process that imports sentence-transformers and loads the
embedding model: what a command that embeds with torch must pay. In one run, on a copy
of the repository's corpus indexed once, each command is timed ``--runs`` times,
interleaved with the floor so that a busy machine weighs on all alike, and the medians
are compared with the targets:

    convqa status --json          ≤ 0.2 × floor   (no model, no torch)
    convqa index (unchanged)      ≤ 0.5 × floor   (nothing to embed: no model)
    convqa ask "…"                ≤ 0.35 × floor  (the question encoded with ONNX Runtime)

Then, in this process, the per-question floor of each question encoder (warm, one
question at a time, one thread, median of ``--questions`` questions taken in turns),
and their agreement on 200 questions of PIAF's ``test`` split:

    ONNX per question             ≤ torch per question
    cosine ONNX / torch           ≥ 0.999 (the smallest of the 200)

Usage: ``.venv/bin/python scripts/bench_cli.py [--runs 3] [--questions 100] [--json]``
(under ``flock /tmp/heavy.lock`` on a shared machine). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"
QUESTION = "Quel organisme dirige Ghada Waly ?"
TARGETS = {"status": 0.2, "index": 0.5, "ask": 0.35}
MIN_COSINE = 0.999
sys.path.insert(0, str(ROOT / "src"))  # this checkout's convqa, for the encoders measured in-process
FLOOR = (
    "import sys; from sentence_transformers import SentenceTransformer; "
    "SentenceTransformer(sys.argv[1], device='cpu', local_files_only=True)"
)
LABELS = {
    "floor": "python + load the model",
    "status": "convqa status --json",
    "index": "convqa index (unchanged)",
    "ask": "convqa ask (cold)",
}


#: The caller's settings that the started processes keep: which embedding model, and its cut.
KEPT_SETTINGS = ("CONVQA_MODEL", "CONVQA_EMBED_DIMS")


def convqa_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m convqa.cli``."""
    script = Path(sys.executable).with_name("convqa")
    return [str(script)] if script.exists() else [sys.executable, "-m", "convqa.cli"]


def timed(args: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run; raises if it fails."""
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=900)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def piaf_questions(n: int) -> list[str]:
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


def commands(data: Path) -> dict[str, list[str]]:
    """Each command's arguments (the floor loads the folder the index run converted)."""
    cli = convqa_command()
    return {
        "floor": [sys.executable, "-c", FLOOR, str(data / "models" / "multilingual-e5-small")],
        "status": [*cli, "status", "--json"],
        "index": [*cli, "index", "--json"],
        "ask": [*cli, "ask", "--json", QUESTION],
    }


def encoders(data: Path, questions: list[str], rounds: int) -> dict:
    """Per-question floor of each encoder (ms, median) and their cosines on ``questions``."""
    import numpy as np

    from convqa.model.embedder import Embedder
    from convqa.model.onnx_encoder import load_query_encoder
    from convqa.model.spec import spec_for

    spec = spec_for("multilingual-e5-small")
    torch_encoder = Embedder(spec, data)
    onnx_encoder = load_query_encoder(spec, data)
    if onnx_encoder is None:
        raise SystemExit("no ONNX question encoder could be loaded")
    for q in questions[:5]:  # warm both
        torch_encoder.encode_queries([q]), onnx_encoder.encode([q])
    ms: dict[str, list[float]] = {"torch": [], "onnx": []}
    for q in questions[:rounds]:
        for name, encode in (("torch", torch_encoder.encode_queries), ("onnx", onnx_encoder.encode)):
            started = time.perf_counter()
            encode([q])
            ms[name].append((time.perf_counter() - started) * 1e3)
    a = np.concatenate([torch_encoder.encode_queries([q]) for q in questions])
    b = np.concatenate([onnx_encoder.encode([q]) for q in questions])
    cosines = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {
        "torch_ms": round(statistics.median(ms["torch"]), 2),
        "onnx_ms": round(statistics.median(ms["onnx"]), 2),
        "questions_timed": len(ms["onnx"]),
        "cosine_min": round(float(cosines.min()), 6),
        "cosine_mean": round(float(cosines.mean()), 6),
        "questions_compared": len(questions),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (medians are compared)")
    parser.add_argument("--questions", type=int, default=100, help="questions timed per encoder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    load = os.getloadavg()[0]

    work = Path(tempfile.mkdtemp(prefix="convqa-bench-"))
    try:
        corpus, data = work / "corpus", work / "data"
        shutil.copytree(ROOT / "corpus", corpus)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_") or k in KEPT_SETTINGS}
        env |= {"HF_HUB_OFFLINE": "1", "CONVQA_DATA_DIR": str(data), "CONVQA_CORPUS_DIR": str(corpus)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
        args = commands(data)
        # Not measured: the index (which converts the model), and a first ask, which exports
        # the question encoder to ONNX as install.sh does.
        timed(args["index"], env)
        timed(args["ask"], env)
        times: dict[str, list[float]] = {name: [] for name in args}
        for _ in range(options.runs):
            for name, command in args.items():
                times[name].append(timed(command, env))
        enc = encoders(data, piaf_questions(200), options.questions)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report(times, enc, options, load)


def report(times: dict[str, list[float]], enc: dict, options: argparse.Namespace, load: float) -> int:
    """Print the figures; 1 when a target is missed."""
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["floor"]
    rows = {
        name: {
            "seconds": round(medians[name], 2),
            "ratio": round(medians[name] / floor, 3),
            "target": TARGETS.get(name),
            "runs": [round(t, 2) for t in times[name]],
        }
        for name in times
    }
    missed = [name for name, target in TARGETS.items() if rows[name]["ratio"] > target]
    if enc["onnx_ms"] > enc["torch_ms"]:
        missed.append("onnx per question")
    if enc["cosine_min"] < MIN_COSINE:
        missed.append("cosine")
    figures = {"cores": os.cpu_count(), "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}
    if options.json:
        print(json.dumps(figures | {"rows": rows, "encoders": enc, "missed": missed}))
    else:
        print(f"median wall time of {options.runs} runs, {os.cpu_count()} cores, load {load:.1f}")
        print(f"{'command':<28}{'seconds':>9}{'× floor':>9}{'target':>9}")
        for name, row in rows.items():
            target = f"≤ {row['target']}" if row["target"] else ""
            print(f"{LABELS[name]:<28}{row['seconds']:>9.2f}{row['ratio']:>9.3f}{target:>9}")
        print(
            f"per question (median of {enc['questions_timed']}, warm, 1 thread): torch {enc['torch_ms']:.1f} ms, "
            f"ONNX {enc['onnx_ms']:.1f} ms ({enc['onnx_ms'] / enc['torch_ms']:.2f}×)"
        )
        print(
            f"cosine ONNX / torch on {enc['questions_compared']} PIAF test questions: "
            f"min {enc['cosine_min']:.6f}, mean {enc['cosine_mean']:.6f} (target ≥ {MIN_COSINE})"
        )
        print("all targets met" if not missed else f"over target: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
