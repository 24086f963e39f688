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
# The suite runs on the bundled multilingual-e5-small, though EmbeddingGemma is the product's
# default: it indexes 6.7x faster, so the many small indexes the tests build take seconds,
# and it needs no install. The tests marked gemma select EmbeddingGemma by name, and
# tests/model/test_default_model.py checks what a user gets without this variable.
os.environ["CONVQA_MODEL"] = "multilingual-e5-small"

from paths import ROOT, SEED_CORPUS, SEED_ID

#: Where the tests marked gemma find EmbeddingGemma installed: ``models/`` of this data dir.
GEMMA_DATA_DIR = Path(os.environ.get("CONVQA_TEST_GEMMA_DATA_DIR") or ROOT / ".convqa")


def _gemma_installed() -> bool:
    from convqa.model import gemma
    from convqa.model.install import installed

    return installed(GEMMA_DATA_DIR / "models" / gemma.NAME)


def pytest_collection_modifyitems(config, items):
    """Tests that need a Chroma server, or PostgreSQL, are skipped unless one is given;
    those that need EmbeddingGemma, unless it is installed."""
    needs = {"server": "CONVQA_TEST_CHROMA_URL", "postgres": "CONVQA_TEST_PG_URL"}
    for marker, variable in needs.items():
        if os.environ.get(variable):
            continue
        skip = pytest.mark.skip(reason=f"set {variable} to run the tests marked {marker} (scripts/test.sh does)")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)
    if any("gemma" in item.keywords for item in items) and not _gemma_installed():
        skip = pytest.mark.skip(
            reason=f"embeddinggemma-300m is not installed in {GEMMA_DATA_DIR}/models: run "
            "`scripts/install.sh --model embeddinggemma-300m` (or set CONVQA_TEST_GEMMA_DATA_DIR)"
        )
        for item in items:
            if "gemma" in item.keywords:
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
    from convqa.settings import BUNDLED_MODEL

    return Embedder(spec_for(BUNDLED_MODEL), model_dir)


@pytest.fixture(scope="session")
def gemma_embedder():
    """The real EmbeddingGemma-300M, loaded once (tests marked gemma)."""
    from convqa.model import gemma
    from convqa.model.embedder import Embedder
    from convqa.model.spec import spec_for

    return Embedder(spec_for(gemma.NAME), GEMMA_DATA_DIR)


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
