"""A bounded load test on loopback: 16 concurrent gradio_client users while one adds an article.

A fixed number of requests, each with a timeout; it stops by itself. Latency figures
are written to test-artifacts/load-<store>.json (and quoted in the README); no assertion
is made on time, only on correctness: no request fails, every answer cites exactly.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from convqa.corpus.loader import read_article

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from soak import QUESTIONS  # noqa: E402  (the seed questions and their facts: one list for both load runs)

USERS = 16
QUESTIONS_PER_USER = 4
NEW_ARTICLE = (
    "Le port de Cam Ranh ouvre un centre de réponse aux cyberattaques",
    "https://example.org/cam-ranh",
    "Le port de Cam Ranh a ouvert lundi un centre de réponse aux cyberattaques.\n\n"
    "Le centre compte dix-sept analystes de garde jour et nuit.",
)


def check_citations(answer: dict, texts: dict[str, str]) -> None:
    assert answer["citations"], answer
    for n, c in enumerate(answer["citations"], 1):
        assert c["n"] == n
        assert c["text"][c["quote_start"] - c["start"] : c["quote_end"] - c["start"]] == c["quote"]
        if c["doc_id"] in texts:
            assert texts[c["doc_id"]][c["quote_start"] : c["quote_end"]] == c["quote"]


@pytest.mark.slow
@pytest.mark.parametrize("store", ["embedded", pytest.param("server", marks=pytest.mark.server)])
def test_sixteen_users_and_an_upload_all_succeed(tmp_path, start_app, artifacts, store):
    from gradio_client import Client

    env = {}
    if store == "server":
        env = {"CONVQA_CHROMA_URL": os.environ["CONVQA_TEST_CHROMA_URL"], "CONVQA_COLLECTION": f"load{os.getpid()}"}
    with start_app(tmp_path, **env) as server:
        texts = {
            a.doc_id: a.text for a in (read_article(p, root=server.corpus_dir) for p in server.corpus_dir.glob("*.md"))
        }
        clients = [Client(server.url, verbose=False) for _ in range(USERS)]
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()

        def user(i: int) -> None:
            for j in range(QUESTIONS_PER_USER):
                question, fact = QUESTIONS[(i + j) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    job = clients[i].submit(question=question, api_name="/ask")
                    answer = job.result(timeout=300)
                    elapsed = time.perf_counter() - started
                    assert fact in answer["answer"], (question, answer["answer"])
                    check_citations(answer, texts)
                    with lock:
                        latencies.append(elapsed)
                except Exception as exc:  # every failure is collected and reported below
                    with lock:
                        failures.append(f"user {i} {question!r}: {exc!r}")

        def uploader() -> dict:
            time.sleep(1.0)  # in the middle of the questions
            title, source, text = NEW_ARTICLE
            return Client(server.url, verbose=False).predict(
                title=title, source=source, text=text, api_name="/add_article"
            )

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=USERS + 1) as pool:
            added = pool.submit(uploader)
            list(pool.map(user, range(USERS)))
            report = added.result(timeout=600)
        wall = time.perf_counter() - started

        assert failures == []
        assert report["ok"], report
        assert report["index"]["added"] >= 1
        after = clients[0].predict(question="Combien d'analystes compte le centre de Cam Ranh ?", api_name="/ask")
        assert "dix-sept analystes" in after["answer"]

        latencies.sort()
        figures = {
            "store": store,
            "users": USERS,
            "requests": len(latencies),
            "wall_seconds": round(wall, 1),
            "throughput_rps": round(len(latencies) / wall, 2),
            "latency_s_p50": round(statistics.median(latencies), 3),
            "latency_s_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
            "latency_s_max": round(latencies[-1], 3),
        }
        (artifacts / f"load-{store}.json").write_text(json.dumps(figures, indent=2))
        print("load:", figures)
        assert figures["requests"] == USERS * QUESTIONS_PER_USER
