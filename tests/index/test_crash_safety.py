"""An index run killed with SIGKILL leaves the previous index answering, and the next run
finishes the work so that the result equals a clean build of the same corpus."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paths import SEED_CORPUS, SEED_ID

pytestmark = pytest.mark.slow


def run_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "convqa.cli", *args], capture_output=True, text=True, env=env, timeout=900
    )


def records(data_dir: Path) -> int:
    db = data_dir / "records.sqlite"
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return conn.execute("select count(*) from upsertion_record").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def add_dispatches(corpus: Path, count: int) -> None:
    seed = (SEED_CORPUS / f"{SEED_ID}.md").read_text(encoding="utf-8")
    head, _, body = seed.partition("\n---\n")
    for i in range(count):
        text = (
            head.replace(f"id: {SEED_ID}", f"id: dispatch-{i}")
            + f"\n---\nDépêche numéro {i} de la série sur Hanoï.\n\n"
            + body
        )
        (corpus / f"dispatch-{i}.md").write_text(text, encoding="utf-8")


def snapshot(data_dir: Path, env: dict, chroma_url: str | None, collection: str) -> dict:
    """Ids in the vector store, the lexical index and the record manager."""
    code = (
        "import json, sys; from convqa.settings import Settings; from convqa.assistant import Assistant;"
        "a = Assistant(Settings());"
        "ids = a.store.collection.get(include=[])['ids'];"
        "print(json.dumps({'ids': ids, 'lexical': a.lexical.ids, 'status': a.status()}))"
    )
    env = env | {"CONVQA_DATA_DIR": str(data_dir), "CONVQA_COLLECTION": collection}
    if chroma_url:
        env["CONVQA_CHROMA_URL"] = chroma_url
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def clean_build_ids(corpus: Path) -> list[str]:
    """The chunk ids a clean build of ``corpus`` stores: LangChain's content hashes of its chunks."""
    from convqa.corpus.loader import load_corpus
    from convqa.index.builder import chunk_documents
    from convqa.index.changes import chunk_ids
    from convqa.settings import Settings

    settings = Settings(corpus_dir=corpus)
    articles, _ = load_corpus(corpus, settings.max_article_bytes)
    return sorted(chunk_ids(chunk_documents(articles, settings)))


def kill_when(proc: subprocess.Popen, data_dir: Path, baseline: int, extra_delay: float) -> int:
    """SIGKILL the run once it has written a first batch of new records (plus a delay)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if records(data_dir) > baseline:
            time.sleep(extra_delay)
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the index run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return records(data_dir)


def test_killed_index_runs_resume_to_a_clean_build(tmp_path, store_kind):
    chroma_url = os.environ.get("CONVQA_TEST_CHROMA_URL") if store_kind == "server" else None
    collection = f"crash{os.getpid()}{store_kind}"
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    base_args = ["--data-dir", str(tmp_path / "data")] + (["--chroma-url", chroma_url] if chroma_url else [])
    # Small batches: several of them from a few articles, so that a run can be cut between
    # two with little to embed.
    env_run = env | {"CONVQA_COLLECTION": collection, "CONVQA_INDEX_BATCH": "32"}
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    data = tmp_path / "data"

    first = run_cli("index", "--corpus", str(corpus), "--json", *base_args, env=env_run)
    assert first.returncode == 0, first.stderr
    seed_records = records(data)

    # Enough new chunks for several indexing batches (32 chunks each), so a run can be cut.
    add_dispatches(corpus, 8)
    # Two kills: one while a batch is being embedded, one right after a batch was written.
    for delay in (0.8, 0.0):
        before = records(data)
        proc = subprocess.Popen(
            [sys.executable, "-m", "convqa.cli", "index", "--corpus", str(corpus), "--json", *base_args],
            env=env_run,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        after = kill_when(proc, data, before, delay)
        assert after > before  # it was killed in the middle, with work left
        # The previous index still answers.
        asked = run_cli("ask", "--json", *base_args, "Quel organisme dirige Ghada Waly ?", env=env_run)
        assert asked.returncode == 0, asked.stderr
        assert "ONUDC" in json.loads(asked.stdout)["answer"]

    final = run_cli("index", "--corpus", str(corpus), "--json", *base_args, env=env_run)
    assert final.returncode == 0, final.stderr
    assert json.loads(final.stdout)["documents"] == 9

    resumed = snapshot(data, env, chroma_url, collection)
    reference = {"ids": clean_build_ids(corpus)}

    assert len(resumed["ids"]) == len(set(resumed["ids"]))  # no duplicates
    assert sorted(resumed["ids"]) == sorted(reference["ids"])  # same chunks as a clean build
    assert sorted(resumed["lexical"]) == sorted(reference["ids"])  # no orphans in BM25
    assert resumed["status"]["consistent"] and resumed["status"]["records"] == len(reference["ids"])
    assert seed_records < len(reference["ids"])
