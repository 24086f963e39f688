"""Shared fixtures: the real model (loaded once per session) and real Chroma stores."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from paths import SEED_CORPUS, SEED_ID


def pytest_collection_modifyitems(config, items):
    """Tests that need a Chroma server, or PostgreSQL, are skipped unless one is given."""
    needs = {"server": "CONVQA_TEST_CHROMA_URL", "postgres": "CONVQA_TEST_PG_URL"}
    for marker, variable in needs.items():
        if os.environ.get(variable):
            continue
        skip = pytest.mark.skip(reason=f"set {variable} to run the tests marked {marker} (scripts/test.sh does)")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """A data dir holding the materialized default model, shared by the session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def embedder(model_dir):
    """The real multilingual-e5-small, loaded once."""
    from convqa.model.embedder import Embedder
    from convqa.model.spec import spec_for
    from convqa.settings import DEFAULT_MODEL

    return Embedder(spec_for(DEFAULT_MODEL), model_dir)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store_kind(request) -> str:
    """Run a test against the embedded store and, when available, a Chroma server."""
    return request.param


@pytest.fixture
def make_settings(tmp_path, store_kind):
    """Settings factory on a fresh data dir (and a fresh collection on the server)."""
    from convqa.settings import Settings

    counter = iter(range(1000))

    def make(corpus_dir: Path, **overrides):
        data_dir = tmp_path / f"data{next(counter)}"
        extra = {}
        if store_kind == "server":
            extra = {
                "chroma_url": os.environ["CONVQA_TEST_CHROMA_URL"],
                "collection": f"t{os.getpid()}-{tmp_path.name}"[:60],
            }
        return Settings(corpus_dir=corpus_dir, data_dir=data_dir, **(extra | overrides))

    return make


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the real corpus folder."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def seed_assistant(tmp_path_factory, embedder):
    """An Assistant over the seed corpus (embedded store), indexed once for the session."""
    from convqa.assistant import Assistant
    from convqa.settings import Settings

    settings = Settings(corpus_dir=SEED_CORPUS, data_dir=tmp_path_factory.mktemp("seed-data"))
    assistant = Assistant(settings, embedder=embedder)
    assistant.index()
    return assistant


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed article's text, as the loader gives it (what offsets point into)."""
    from convqa.corpus.loader import read_article

    return read_article(SEED_CORPUS / f"{SEED_ID}.md").text
