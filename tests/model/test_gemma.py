"""EmbeddingGemma-300M as convqa's embedding model: its prompts, its cut vectors, and a
switch of model that re-embeds the index (the real model: tests marked gemma, skipped with
the install command when it is not installed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from convqa.errors import StoreError
from convqa.model import gemma
from convqa.model.spec import spec_for
from convqa.settings import Settings
from paths import SEED_CORPUS

TEXTS = ["Combien de pays étaient représentés à la cérémonie de signature ?"]


@pytest.mark.gemma
@pytest.mark.slow
def test_the_specs_prompts_are_the_models_own_and_are_applied(gemma_embedder):
    folder = Path(gemma_embedder.path)
    own = json.loads((folder / "config_sentence_transformers.json").read_text())["prompts"]
    spec = spec_for(gemma.NAME)
    assert (spec.query_prompt, spec.passage_prompt) == (own["query"], own["document"])
    query = gemma_embedder.encode_queries(TEXTS)[0]
    passage = gemma_embedder.encode_passages(TEXTS)[0]
    model = gemma_embedder.model
    assert np.allclose(query, model.encode_query(TEXTS, normalize_embeddings=True)[0], atol=1e-5)
    assert np.allclose(passage, model.encode_document(TEXTS, normalize_embeddings=True)[0], atol=1e-5)
    assert float(query @ passage) < 0.99  # the prompts do change the vector
    assert (folder / "TERMS.txt").read_text().count("ai.google.dev/gemma/terms") >= 1


@pytest.mark.gemma
@pytest.mark.slow
def test_the_first_256_dimensions_are_the_full_vector_cut_and_renormalised(gemma_embedder):
    from convqa.model.embedder import Embedder

    cut = Embedder(spec_for(Settings(model=gemma.NAME, embed_dims=256)), Path(gemma_embedder.path).parents[1])
    full = gemma_embedder.encode_queries(TEXTS)[0]
    short = cut.encode_queries(TEXTS)[0]
    assert short.shape == (256,) and cut.dimension == 256
    assert np.allclose(short, full[:256] / np.linalg.norm(full[:256]), atol=1e-5)
    assert spec_for(Settings(model=gemma.NAME, embed_dims=256)).recipe(False) == "embeddinggemma-300m dims=256"


@pytest.mark.gemma
@pytest.mark.slow
def test_switching_from_e5_to_gemma_re_embeds_and_answers_the_english_questions(
    make_settings, embedder, gemma_embedder
):
    from convqa.assistant import Assistant
    from convqa.index.catalog import index_status

    e5 = make_settings(SEED_CORPUS)  # the embedded store, and a Chroma server when one is given
    first = Assistant(e5, embedder=embedder).index()
    settings = e5.model_copy(update={"model": gemma.NAME})
    assistant = Assistant(settings, embedder=gemma_embedder)
    with pytest.raises(StoreError) as caught:  # e5's vectors: asked before the index run, one line
        assistant.ask("Who is Vietnam's Minister of Public Security?")
    assert caught.value.code == "index_other_model" and "convqa index" in str(caught.value)
    report = assistant.index()
    assert "embedding model changed" in report.message
    assert report.added == report.chunks == first.chunks and report.skipped == 0
    assert index_status(settings)["model"] == gemma.NAME
    # The question e5 answers with the wrong sentence (issue 20): Gemma quotes the 110 countries.
    answer = assistant.ask("How many countries were represented at the signing ceremony?")
    assert not answer.abstained and "110 pays" in answer.citations[0].quote, answer.answer
    # The default short-answer step gives the fact itself to the French question. (The
    # English one gets none: the span model, which learned English from French questions
    # with their words hidden, gives « 110 pays » 0.05, under the 0.2 of the agreement.)
    french = assistant.ask("Combien de pays étaient représentés à la cérémonie de signature ?")
    assert not french.abstained and french.short is not None and "110" in french.short.text, french.answer
    back = Assistant(e5, embedder=embedder).index()  # and back: e5's vectors again
    assert "embedding model changed" in back.message and back.added == back.chunks


@pytest.mark.gemma
@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="Gemma's first citation quotes the ministry's sentence (no person in it). The passage naming Luong "
    "Tam Quang is the vectors' 3rd and absent from BM25's list: with BM25 at its fitted 0.25 for English "
    "questions it is fused about 13th, past the 8 passages read (at 0.1 7th, at 0 3rd). Even at 0, with the "
    "typed cue, its sentence scores 0.892 against the ministry sentence's 0.896 (cosines 0.76 / 0.86); "
    "measured 2026-12-07 on a second round. The French question is answered",
)
def test_gemma_names_vietnams_minister_of_public_security(tmp_path, gemma_embedder):
    from convqa.assistant import Assistant

    settings = Settings(corpus_dir=SEED_CORPUS, data_dir=tmp_path / "data", model=gemma.NAME)
    assistant = Assistant(settings, embedder=gemma_embedder)
    assistant.index()
    answer = assistant.ask("Who is Vietnam's Minister of Public Security?")
    assert not answer.abstained and "Luong Tam Quang" in answer.citations[0].quote, answer.answer


@pytest.mark.gemma
@pytest.mark.slow
def test_gemma_questions_through_onnx_are_the_torch_paths_vectors(gemma_embedder, tmp_path):
    """The ONNX graph (convqa.model.onnx_gemma) against sentence-transformers, past the sliding window too."""
    from conftest import GEMMA_DATA_DIR
    from convqa.model.onnx_encoder import OnnxQueryEncoder, ensure_onnx, load_query_encoder

    spec = spec_for(gemma.NAME)
    target = ensure_onnx(spec, GEMMA_DATA_DIR)
    # The weights are the installed folder's own file (a link), not a second 1.2 GB copy.
    weights = target / "encoder.onnx.data"
    assert weights.stat().st_ino == (Path(gemma_embedder.path) / "model.safetensors").stat().st_ino
    encoder = load_query_encoder(spec, GEMMA_DATA_DIR)
    assert isinstance(encoder, OnnxQueryEncoder)
    questions = [
        "Combien de pays étaient représentés à la cérémonie de signature ?",
        "Who is Vietnam's Minister of Public Security?",
        "Un symbole inconnu ☃ et des  espaces\tmultiples ?",
        "mot " * 700,  # 710 tokens: sliding layers see 256 tokens each way, full layers all
    ]
    torch_vectors = gemma_embedder.encode_queries(questions)
    onnx_vectors = np.concatenate([encoder.encode([q]) for q in questions])
    cosines = (torch_vectors * onnx_vectors).sum(1)
    assert cosines.min() >= 0.999, (cosines.argmin(), cosines.min())
    batch = encoder.encode(questions)  # padded to the longest: each keeps its own vector
    assert ((batch * onnx_vectors).sum(1) > 0.9999).all()
    # CONVQA_EMBED_DIMS: the cut is the torch path's, renormalised.
    cut = spec_for(Settings(data_dir=tmp_path, model=gemma.NAME, embed_dims=256))
    short = load_query_encoder(cut, GEMMA_DATA_DIR).encode(questions[:1])[0]
    assert short.shape == (256,) and abs(float(np.linalg.norm(short)) - 1) < 1e-5
    full = torch_vectors[0][:256]
    assert float(short @ (full / np.linalg.norm(full))) > 0.999
