"""Two processes on one Chroma server: what one indexes, the other answers from, consistently."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from convqa.assistant import Assistant
from convqa.settings import Settings
from paths import SEED_CORPUS

ARTICLE = """---
title: Inauguration d'un observatoire du cyberespace à Da Nang
source: https://example.org/da-nang
date: 2025-11-10
---
La ville de Da Nang a inauguré mardi un observatoire du cyberespace chargé de surveiller les attaques informatiques visant les ports de la région.

L'observatoire emploie quarante-deux analystes formés avec l'aide de l'Union européenne.
"""


@pytest.mark.server
def test_an_answering_process_follows_another_process_index_run(tmp_path, embedder):
    url = os.environ["CONVQA_TEST_CHROMA_URL"]
    collection = f"shared{os.getpid()}"
    record_db = f"sqlite:///{tmp_path / 'records.sqlite'}"
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)

    answering = Assistant(
        Settings(
            corpus_dir=corpus, data_dir=tmp_path / "a", chroma_url=url, collection=collection, record_db_url=record_db
        ),
        embedder=embedder,
    )
    answering.index()
    before = answering.ask("Combien d'analystes emploie l'observatoire de Da Nang ?")
    assert before.abstained or "quarante-deux" not in before.answer

    (corpus / "da-nang.md").write_text(ARTICLE, encoding="utf-8")
    env = os.environ | {
        "CONVQA_CHROMA_URL": url,
        "CONVQA_COLLECTION": collection,
        "CONVQA_RECORD_DB_URL": record_db,
        "CONVQA_DATA_DIR": str(tmp_path / "b"),
        "CONVQA_CORPUS_DIR": str(corpus),
        "HF_HUB_OFFLINE": "1",
    }
    other = subprocess.run(
        [sys.executable, "-m", "convqa.cli", "index", "--json"], env=env, capture_output=True, text=True, timeout=600
    )
    assert other.returncode == 0, other.stderr
    report = json.loads(other.stdout)
    assert report["added"] > 0 and report["skipped"] > 0  # shared records: the seed was not re-embedded

    time.sleep(1.1)  # the answering process checks the store's revision at most once a second
    after = answering.ask("Combien d'analystes emploie l'observatoire de Da Nang ?")
    assert "quarante-deux analystes" in after.answer
    assert after.citations[0].doc_id == "da-nang"
    status = answering.status()
    assert status["consistent"], status
    assert status["documents"] == 2 and status["store"] == "server"
