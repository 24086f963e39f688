"""The hand-translated English questions (test, and tune's dev articles): chosen by their
written rule, each one a PIAF question of its split with its own gold range, and a clear
error when the dataset does not hold them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from importlib.resources import files

import pytest

from convqa.errors import ConvqaError
from convqa.evaluation.dataset import ENGLISH_QUESTIONS, english_questions, load_squad
from convqa.training.examples import dev_article
from paths import ROOT

# shared/ lies beside the repository, for developers and CI alike.
PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"

pytestmark = [pytest.mark.fast, pytest.mark.skipif(not PIAF.exists(), reason=f"PIAF not found at {PIAF}")]


@pytest.fixture(scope="module")
def piaf():
    return load_squad(PIAF)


def _entries(split: str = "test") -> list[dict]:
    text = (files("convqa.evaluation") / "data" / ENGLISH_QUESTIONS[split]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("split", ["test", "tune"])
def test_the_file_follows_its_selection_rule(piaf, split):
    # data/README.md: sorted by id, every 11th test question; of tune's dev articles, the
    # questions at positions 0 and 2 of every 5.
    if split == "test":
        chosen = sorted((q for q in piaf.questions if q.split == "test"), key=lambda q: q.id)[::11]
    else:
        dev = [q for q in piaf.questions if q.split == "tune" and dev_article(q.title)]
        chosen = [q for i, q in enumerate(sorted(dev, key=lambda q: q.id)) if i % 5 in (0, 2)]
    entries = _entries(split)
    assert [e["id"] for e in entries] == [q.id for q in chosen]
    assert len(entries) >= 100
    assert len({e["id"] for e in entries}) == len(entries)
    assert len({e["question_en"].casefold() for e in entries}) == len(entries)
    for entry in entries:
        assert set(entry) == {"id", "question_fr", "question_en"}
        assert entry["question_en"].strip() and entry["question_en"] != entry["question_fr"]


@pytest.mark.parametrize("split", ["test", "tune"])
def test_english_questions_keep_each_gold_range(piaf, split):
    by_id = {q.id: q for q in piaf.questions}
    english = english_questions(piaf, split=split)
    assert len(english) == len(_entries(split))
    for question, entry in zip(english, _entries(split), strict=True):
        french = by_id[entry["id"]]
        assert question.split == split and question.question == entry["question_en"]
        assert (question.doc_id, question.start, question.end, question.answer) == (
            french.doc_id,
            french.start,
            french.end,
            french.answer,
        )


def test_a_dataset_without_the_questions_is_an_error_unless_partial():
    first = load_squad(PIAF, limit=10)
    with pytest.raises(ConvqaError) as caught:
        english_questions(first)
    assert "not a test question" in str(caught.value)
    loaded = {q.id for q in first.questions}
    partial = english_questions(first, partial=True)
    assert {q.id for q in partial} == loaded & {e["id"] for e in _entries()}


def test_a_changed_french_question_is_an_error(piaf):
    first = _entries()[0]["id"]
    changed = replace(piaf, questions=[replace(q, question="Autre ?") if q.id == first else q for q in piaf.questions])
    with pytest.raises(ConvqaError) as caught:
        english_questions(changed, partial=True)
    assert first in str(caught.value)


def test_english_with_the_tune_split_is_one_line_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "convqa.cli", "eval", "--dataset", str(PIAF), "--english", "--split", "tune"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
        timeout=120,
    )
    assert result.returncode == 1
    assert "--english" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
