"""The Chroma server killed in the middle of an index run: the run fails in one line, and the
next run, once the server is back, leaves exactly what a clean build leaves."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from chromaserver import ChromaServer
from indexstate import cli_env, index_state, one_line_error, run_cli
from paths import SEED_CORPUS, SEED_ID

pytestmark = pytest.mark.slow


def add_dispatches(corpus, count: int, paragraphs: int = 30) -> None:
    """``count`` short dispatches of ``paragraphs`` one-sentence paragraphs (one chunk each at
    CHUNKING): several indexing batches (256 chunks each) for little text to embed."""
    for i in range(count):
        body = "\n\n".join(
            f"Le comité numéro {j} de la série {i} s'est réuni à Hanoï pour examiner l'application de la convention."
            for j in range(paragraphs)
        )
        (corpus / f"dispatch-{i}.md").write_text(
            f"---\ntitle: Dépêche {i} sur la convention\nsource: https://example.org/d{i}\ndate: 2025-10-26\n---\n{body}\n",
            encoding="utf-8",
        )


#: Small chunks: one paragraph each, none merged.
CHUNKING = {"chunk_max_words": "20", "chunk_min_words": "0"}


def clean_build_ids(corpus) -> tuple[list[str], list[str]]:
    """The chunk ids (and their article ids) a clean build of ``corpus`` stores: LangChain's content hashes."""
    from convqa.corpus.loader import load_corpus
    from convqa.index.builder import chunk_documents
    from convqa.index.changes import chunk_ids
    from convqa.settings import Settings

    settings = Settings(corpus_dir=corpus, **CHUNKING)
    articles, _ = load_corpus(corpus, settings.max_article_bytes)
    docs = chunk_documents(articles, settings)
    return sorted(chunk_ids(docs)), sorted(str(d.metadata["doc_id"]) for d in docs)


def stored_count(url: str, collection: str) -> int:
    import chromadb
    from chromadb.config import Settings

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=Settings(anonymized_telemetry=False))
    return client.get_collection(collection).count()


@pytest.mark.timeout(1800)
def test_chroma_server_killed_during_an_index_run(tmp_path):
    server = ChromaServer(tmp_path / "chroma").start()
    try:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / f"{SEED_ID}.md").write_text(
            (SEED_CORPUS / f"{SEED_ID}.md").read_text(encoding="utf-8"), encoding="utf-8"
        )
        env = cli_env(
            corpus_dir=str(corpus),
            data_dir=str(tmp_path / "data"),
            chroma_url=server.url,
            collection="killed",
            **CHUNKING,
        )
        first = run_cli("index", "--json", env=env)
        assert first.returncode == 0, first.stderr
        baseline = stored_count(server.url, "killed")

        add_dispatches(corpus, 20)  # 600 chunks: three batches
        run = subprocess.Popen(
            [sys.executable, "-m", "convqa.cli", "index", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Kill the server once the run has written a first batch, with more batches to go.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and run.poll() is None and stored_count(server.url, "killed") == baseline:
            time.sleep(0.1)
        assert run.poll() is None, "the index run finished before the server could be killed"
        server.kill()
        out, err = run.communicate(timeout=300)
        assert run.returncode == 1, (out, err)
        assert one_line_error(err).startswith(f"error: Chroma server not reachable at {server.url} (")

        # Asked while the server is down, the CLI says so in one line too.
        asked = run_cli("ask", "Quel organisme dirige Ghada Waly ?", env=env)
        assert asked.returncode == 1
        assert one_line_error(asked.stderr).startswith(f"error: Chroma server not reachable at {server.url} (")

        server.start()  # same path, same port
        resumed = run_cli("index", "--json", env=env)
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout)["documents"] == 21
        state = index_state(env)

        from convqa.index.lexical import fingerprint

        ids, doc_ids = clean_build_ids(corpus)
        assert state["ids"] == ids  # same chunk ids as a clean build (sorted, so no duplicates either)
        assert stored_count(server.url, "killed") == len(ids)
        assert state["lexical"] == state["revision"] == fingerprint(ids)  # the lexical index is in step
        assert state["lexical_docs"] == doc_ids
        status = run_cli("status", "--json", env=env)
        info = json.loads(status.stdout)
        assert info["consistent"] and info["records"] == len(ids), info
    finally:
        server.stop()
