"""``convqa train-answerer`` on a handful of questions: the models are written, with a
manifest that matches them, and the learned step loads them (or falls back, warning, when
they are missing or corrupt)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from convqa.answer.learned import FILES, LearnedStep, ModelsError, load_learned_step, load_models, models_dir
from convqa.evaluation.dataset import split_of
from convqa.pipeline import ANSWER_STEPS
from convqa.settings import Settings
from convqa.training.examples import dev_article

FACTS = [
    (
        "La fête du pain a réuni {n} visiteurs à {town} en {year}.",
        "Combien de visiteurs la fête du pain a-t-elle réunis à {town} ?",
        "{n} visiteurs",
    ),
    (
        "Le maire {mayor} a inauguré la nouvelle halle du marché.",
        "Qui a inauguré la halle du marché de {town} ?",
        "{mayor}",
    ),
    ("La prochaine édition aura lieu en {next}.", "Quand aura lieu la prochaine fête du pain de {town} ?", "{next}"),
]
TOWNS = [
    ("Lannilis", "Anne Le Goff", 1200, 2023, "mai 2025"),
    ("Morlaix", "Paul Kervella", 800, 2022, "juin 2024"),
    ("Quimper", "Marie Tanguy", 3000, 2021, "avril 2026"),
    ("Brest", "Yann Abgrall", 450, 2020, "mars 2027"),
]


def _titles() -> list[str]:
    """Tune titles: the first a dev article, the others training ones."""
    tune = [f"Fête du pain numéro {i}" for i in range(200) if split_of(f"Fête du pain numéro {i}") == "tune"]
    dev = [t for t in tune if dev_article(t)][:1]
    return dev + [t for t in tune if not dev_article(t)][: len(TOWNS) - 1]


def _dataset(path: Path) -> None:
    data = []
    for title, (town, mayor, n, year, nxt) in zip(_titles(), TOWNS):
        values = {"town": town, "mayor": mayor, "n": n, "year": year, "next": nxt}
        paragraphs = []
        for sentence, question, answer in FACTS:
            context = f"À {town}, l'association locale prépare la fête depuis des mois. " + sentence.format(**values)
            answer = answer.format(**values)
            qa = {
                "id": f"{town}-{len(paragraphs)}",
                "question": question.format(**values),
                "answers": [{"text": answer, "answer_start": context.index(answer)}],
            }
            paragraphs.append({"context": context, "qas": [qa]})
        data.append({"title": title, "paragraphs": paragraphs})
    path.write_text(json.dumps({"data": data}, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("train-answerer")
    _dataset(root / "squad.json")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "convqa.cli",
            "train-answerer",
            "--dataset",
            str(root / "squad.json"),
            "--out",
            str(root / "models"),
            "--work",
            str(root / "work"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return root / "models"


def test_training_writes_the_models_with_a_manifest_that_matches_them(trained):
    manifest = json.loads((trained / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == set(FILES)
    assert len(manifest["data_sha256"]) == 64
    assert 0.0 <= manifest["abstain_below"] <= 1.0
    assert manifest["figures"]["dev_questions"] >= 1
    models = load_models(trained)
    assert models.sha256 == manifest["files"]["sentence.txt"]


def _resources(folder: Path) -> SimpleNamespace:
    return SimpleNamespace(settings=Settings(answerer_dir=folder), sentence_vectors=None, calibration=None)


def test_the_learned_step_loads_the_trained_models(trained):
    step = ANSWER_STEPS["learned"](_resources(trained))
    assert isinstance(step, LearnedStep)


def test_a_corrupt_model_falls_back_to_the_hand_tuned_step_with_a_warning(trained, tmp_path, caplog):
    for name in (*FILES, "manifest.json"):
        (tmp_path / name).write_bytes((trained / name).read_bytes())
    (tmp_path / "span.txt").write_text("tree\nnot a model\n", encoding="utf-8")
    with pytest.raises(ModelsError, match="sha256"):
        load_models(tmp_path)
    with caplog.at_level(logging.WARNING):
        step = load_learned_step(_resources(tmp_path), fallback=ANSWER_STEPS["sentences"])
    assert not isinstance(step, LearnedStep)
    assert step.description.startswith("sentences (learned step unavailable")
    assert "convqa train-answerer" in caplog.text


def test_missing_models_fall_back_too(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        step = load_learned_step(_resources(tmp_path / "nowhere"), fallback=ANSWER_STEPS["sentences"])
    assert not isinstance(step, LearnedStep)
    assert "cannot be read" in caplog.text


@pytest.mark.fast
def test_each_embedding_model_has_its_own_shipped_models():
    # The features hold raw cosines, which sit in a range of their own per model.
    for name in ("multilingual-e5-small", "embeddinggemma-300m"):
        assert load_models(models_dir(name)).embedding_model == name


def test_models_trained_on_another_embedding_models_cosines_fall_back(trained, caplog):
    resources = SimpleNamespace(
        settings=Settings(answerer_dir=trained, model="embeddinggemma-300m"), sentence_vectors=None, calibration=None
    )
    with caplog.at_level(logging.WARNING):
        step = load_learned_step(resources, fallback=ANSWER_STEPS["sentences"])
    assert not isinstance(step, LearnedStep)
    assert "multilingual-e5-small's cosines, not embeddinggemma-300m's" in caplog.text


@pytest.mark.fast
def test_a_model_without_shipped_models_falls_back_naming_it(caplog):
    resources = SimpleNamespace(settings=Settings(model="/some/folder"), sentence_vectors=None, calibration=None)
    with caplog.at_level(logging.WARNING):
        step = load_learned_step(resources, fallback=ANSWER_STEPS["sentences"])
    assert not isinstance(step, LearnedStep)
    assert "no learned answer step is shipped for the embedding model /some/folder" in caplog.text
