"""PostgreSQL (the shared record manager) down: `convqa index` and `convqa status` say so in
one line, and nothing is half-written; once it is back, the next run does the work."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from indexstate import cli_env, index_state, one_line_error, run_cli
from paths import SEED_CORPUS

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ARTICLE = """---
title: Le port de Cam Ranh ouvre un centre de réponse aux cyberattaques
source: https://example.org/cam-ranh
date: 2025-11-10
---
Le port de Cam Ranh a ouvert lundi un centre de réponse aux cyberattaques.

Le centre compte dix-sept analystes de garde jour et nuit.
"""


@pytest.fixture
def own_cluster():
    """A PostgreSQL cluster of this test's own, which it may stop and start."""
    from pgcluster import new_cluster

    cluster = new_cluster()
    yield cluster
    cluster.remove()


def test_index_with_the_record_database_down_fails_in_one_line_and_writes_nothing(tmp_path, store_kind, own_cluster):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    settings = {
        "corpus_dir": str(corpus),
        "data_dir": str(tmp_path / "data"),
        "record_db_url": own_cluster.url,
        "collection": f"pgdown{os.getpid()}{store_kind}",
    }
    if store_kind == "server":
        settings["chroma_url"] = os.environ["CONVQA_TEST_CHROMA_URL"]
    env = cli_env(**settings)
    first = run_cli("index", "--json", env=env)
    assert first.returncode == 0, first.stderr
    before = index_state(env)
    assert before["ids"] and before["lexical"] == before["revision"]

    (corpus / "cam-ranh.md").write_text(ARTICLE, encoding="utf-8")
    own_cluster.stop()
    failed = run_cli("index", "--json", env=env)
    assert failed.returncode == 1
    line = one_line_error(failed.stderr)
    assert line == (
        f"error: record database not reachable at postgresql+psycopg://convqa:***@127.0.0.1:"
        f"{own_cluster.port}/convqa (OperationalError)"
    )
    assert own_cluster.password not in failed.stderr + failed.stdout
    assert index_state(env) == before  # vectors, revision mark and lexical index untouched

    status = run_cli("status", "--json", env=env)
    assert status.returncode == 1
    assert one_line_error(status.stderr).startswith("error: record database not reachable at ")

    own_cluster.start()
    again = run_cli("index", "--json", env=env)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["articles_added"], report["articles_unchanged"], report["documents"]) == (1, 1, 2)
    after = index_state(env)
    assert set(before["ids"]) < set(after["ids"]) and after["lexical"] == after["revision"]
    assert "cam-ranh" in after["lexical_docs"]
