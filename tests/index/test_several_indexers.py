"""Two indexers, each with its own corpus folder and data directory, fill one Chroma server
at the same time, with their records in PostgreSQL; a third instance answers from both."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from convqa.assistant import Assistant
from convqa.errors import ConvqaError
from convqa.settings import Settings
from paths import SEED_CORPUS, SEED_ID

pytestmark = [pytest.mark.server, pytest.mark.postgres, pytest.mark.slow]


def article(title: str, slug: str, *paragraphs: str) -> str:
    body = "\n\n".join(paragraphs)
    return f"---\ntitle: {title}\nsource: https://example.org/{slug}\ndate: 2025-11-10\nlang: fr\n---\n{body}\n"


DA_NANG = article(
    "Inauguration d'un observatoire du cyberespace à Da Nang",
    "da-nang",
    "La ville de Da Nang a inauguré mardi un observatoire du cyberespace chargé de surveiller les attaques "
    "informatiques visant les ports de la région.",
    "L'observatoire emploie quarante-deux analystes formés avec l'aide de l'Union européenne.",
)
CAM_RANH = article(
    "Le port de Cam Ranh ouvre un centre de réponse aux cyberattaques",
    "cam-ranh",
    "Le port de Cam Ranh a ouvert lundi un centre de réponse aux cyberattaques.",
    "Le centre compte dix-sept analystes de garde jour et nuit, recrutés dans les universités de la province.",
)
HUE = article(
    "Hué numérise les archives de la citadelle impériale",
    "hue",
    "Les archives de la citadelle impériale de Hué seront numérisées d'ici 2027 par une équipe de restaurateurs.",
    "La numérisation des archives de Hué coûte neuf millions d'euros, financés pour moitié par la Corée du Sud.",
)


def indexer_env(name: str, corpus: Path, data: Path, url: str, collection: str, pg: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_")}
    return env | {
        "HF_HUB_OFFLINE": "1",
        "CONVQA_MODEL": os.environ["CONVQA_MODEL"],  # the suite's model (tests/conftest.py)
        "CONVQA_CHROMA_URL": url,
        "CONVQA_COLLECTION": collection,
        "CONVQA_RECORD_DB_URL": pg,
        "CONVQA_INDEXER": name,
        "CONVQA_CORPUS_DIR": str(corpus),
        "CONVQA_DATA_DIR": str(data),
    }


def index_cli(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "convqa.cli", "index", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    return json.loads(out)


def expected_ids(corpus: Path, indexer: str) -> list[str]:
    """The chunk ids an indexer named ``indexer`` gives this corpus (LangChain's content hashes)."""
    from convqa.corpus.loader import load_corpus
    from convqa.index.builder import chunk_documents
    from convqa.index.changes import chunk_ids

    settings = Settings(corpus_dir=corpus, indexer=indexer)
    articles, _ = load_corpus(corpus, settings.max_article_bytes)
    return chunk_ids(chunk_documents(articles, settings))


def test_two_indexers_fill_one_server_and_a_third_instance_answers_from_both(tmp_path, embedder):
    url = os.environ["CONVQA_TEST_CHROMA_URL"]
    pg = os.environ["CONVQA_TEST_PG_URL"]
    collection = f"two{os.getpid()}-{tmp_path.name}"[:60]
    corpus_a, corpus_b = tmp_path / "corpus-a", tmp_path / "corpus-b"
    shutil.copytree(SEED_CORPUS, corpus_a)
    (corpus_a / "da-nang.md").write_text(DA_NANG, encoding="utf-8")
    corpus_b.mkdir()
    (corpus_b / "cam-ranh.md").write_text(CAM_RANH, encoding="utf-8")
    (corpus_b / "hue.md").write_text(HUE, encoding="utf-8")
    env_a = indexer_env("a", corpus_a, tmp_path / "data-a", url, collection, pg)
    env_b = indexer_env("b", corpus_b, tmp_path / "data-b", url, collection, pg)

    # Both at once: each loads the model and embeds while the other does.
    runs = [index_cli(env_a), index_cli(env_b)]
    report_a, report_b = (finish(p) for p in runs)
    assert (report_a["articles_added"], report_a["articles_deleted"]) == (2, 0)
    assert (report_b["articles_added"], report_b["articles_deleted"]) == (2, 0)

    answering = Assistant(
        Settings(
            corpus_dir=tmp_path / "nothing",
            data_dir=tmp_path / "data-c",
            chroma_url=url,
            collection=collection,
            record_db_url=pg,
        ),
        embedder=embedder,
    )
    ids_a, ids_b = expected_ids(corpus_a, "a"), expected_ids(corpus_b, "b")
    stored = answering.store.collection.get(include=[])["ids"]
    assert len(stored) == len(set(stored))  # no duplicates
    assert sorted(stored) == sorted(ids_a + ids_b)  # exactly the union of both indexers' chunks
    assert sorted(answering.lexical.ids) == sorted(stored)  # BM25 describes the same chunks

    for question, fact, doc_id in [
        ("Combien d'analystes emploie l'observatoire de Da Nang ?", "quarante-deux analystes", "da-nang"),
        ("Combien d'analystes compte le centre du port de Cam Ranh ?", "dix-sept analystes", "cam-ranh"),
        ("Combien coûte la numérisation des archives de Hué ?", "neuf millions", "hue"),
        ("Quel organisme dirige Ghada Waly ?", "ONUDC", SEED_ID),
    ]:
        answer = answering.ask(question)
        assert fact in answer.answer, (question, answer.answer)
        assert answer.citations[0].doc_id == doc_id
    status = answering.status()
    assert status["consistent"], status
    assert (status["documents"], status["chunks"], status["records"]) == (4, len(stored), len(stored))

    # Re-running A: its corpus is unchanged, and B's articles are not A's to delete.
    again = finish(index_cli(env_a))
    assert (again["added"], again["deleted"], again["articles_deleted"], again["articles_unchanged"]) == (0, 0, 0, 2)

    # Another indexer's article cannot be removed from A (its file is in B's folder).
    from convqa.index.catalog import delete_article_file

    with pytest.raises(ConvqaError, match="belongs to another indexer"):
        delete_article_file(
            Settings(
                corpus_dir=corpus_a,
                data_dir=tmp_path / "data-a",
                chroma_url=url,
                collection=collection,
                record_db_url=pg,
                indexer="a",
            ),
            "hue",
        )
    assert (corpus_b / "hue.md").exists()

    # A removes one of its articles: only that article's chunks go, B's all stay.
    (corpus_a / "da-nang.md").unlink()
    removal = finish(index_cli(env_a))
    assert (removal["articles_deleted"], removal["added"]) == (1, 0)
    stored = answering.store.collection.get(include=[])["ids"]
    assert sorted(stored) == sorted(expected_ids(corpus_a, "a") + ids_b)
    assert set(ids_b) <= set(stored)
    assert not {m["doc_id"] for m in answering.store.collection.get(include=["metadatas"])["metadatas"]} & {"da-nang"}

    time.sleep(1.1)  # the answering instance looks at the store's revision at most once a second
    assert sorted(answering.lexical.ids) == sorted(stored)
    gone = answering.ask("Combien d'analystes emploie l'observatoire de Da Nang ?")
    assert "quarante-deux" not in gone.answer
    still = answering.ask("Combien coûte la numérisation des archives de Hué ?")
    assert "neuf millions" in still.answer
    status = answering.status()
    assert status["consistent"] and (status["documents"], status["records"]) == (3, len(stored)), status
