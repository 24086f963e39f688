#!/usr/bin/env python3
"""How fast the convqa command starts, against this machine's own floor.

The floor is a bare Python process that loads the embedding model (what any command that
embeds must pay). In one run, on a copy of the repository's corpus indexed once, each
command is timed ``--runs`` times, interleaved with the floor so that a busy machine
weighs on all alike, and the medians are compared with the targets:

    convqa status --json          ≤ 0.3 × floor   (no model, no torch)
    convqa index (unchanged)      ≤ 0.5 × floor   (nothing to embed: no model)
    convqa ask "…"                ≤ 1.3 × floor   (the model, the store, the reader)

Usage: ``.venv/bin/python scripts/bench_cli.py [--runs 5] [--json]``. Exits 1 when a
target is missed.
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
QUESTION = "Quel organisme dirige Ghada Waly ?"
TARGETS = {"status": 0.3, "index": 0.5, "ask": 1.3}
FLOOR = (
    "import sys; from pathlib import Path; import convqa; "
    "from convqa.model.embedder import Embedder; from convqa.model.spec import spec_for; "
    "Embedder(spec_for('multilingual-e5-small'), Path(sys.argv[1]))"
)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (medians are compared)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="convqa-bench-"))
    try:
        corpus, data = work / "corpus", work / "data"
        shutil.copytree(ROOT / "corpus", corpus)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_")}
        env |= {"HF_HUB_OFFLINE": "1", "CONVQA_DATA_DIR": str(data), "CONVQA_CORPUS_DIR": str(corpus)}
        cli = convqa_command()
        timed([*cli, "index"], env)  # builds the index and converts the model once: not measured
        commands = {
            "floor": [sys.executable, "-c", FLOOR, str(data)],
            "status": [*cli, "status", "--json"],
            "index": [*cli, "index", "--json"],
            "ask": [*cli, "ask", "--json", QUESTION],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.runs):
            for name, args in commands.items():
                times[name].append(timed(args, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["floor"]
    rows = {
        name: {
            "seconds": round(medians[name], 2),
            "ratio": round(medians[name] / floor, 2),
            "target": TARGETS.get(name),
            "runs": [round(t, 2) for t in times[name]],
        }
        for name in commands
    }
    missed = [name for name, target in TARGETS.items() if rows[name]["ratio"] > target]
    if options.json:
        print(json.dumps({"cores": os.cpu_count(), "rows": rows, "missed": missed}))
    else:
        print(f"median wall time of {options.runs} runs, {os.cpu_count()} cores")
        print(f"{'command':<28}{'seconds':>9}{'× floor':>9}{'target':>9}")
        labels = {
            "floor": "python + load the model",
            "status": "convqa status --json",
            "index": "convqa index (unchanged)",
            "ask": "convqa ask",
        }
        for name, row in rows.items():
            target = f"≤ {row['target']}" if row["target"] else ""
            print(f"{labels[name]:<28}{row['seconds']:>9.2f}{row['ratio']:>9.2f}{target:>9}")
        print("all targets met" if not missed else f"over target: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
