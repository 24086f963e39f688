"""The trained reader on the seed article: the fact itself, exact offsets, honest abstention."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT, SEED_CORPUS, SEED_ID

from convqa.answer.reader_step import WEIGHTS_DIR

PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"


def words(text: str) -> int:
    return len(text.replace("[1]", " ").split())


def test_the_shipped_reader_is_the_default_answer_step(seed_assistant):
    assert seed_assistant.status()["answerer"].startswith("reader")


def test_how_many_countries_names_110_in_the_short_answer(seed_assistant, seed_text):
    answer = seed_assistant.ask("Combien de pays étaient représentés à la cérémonie de signature ?")
    assert not answer.abstained and answer.short is not None
    assert "110" in answer.short.text
    assert answer.short.doc_id == SEED_ID
    assert seed_text[answer.short.start:answer.short.end] == answer.short.text
    first = answer.citations[0]
    assert first.quote_start <= answer.short.start < answer.short.end <= first.quote_end
    assert answer.answer.startswith(answer.short.text) and words(answer.answer) <= 40


def test_the_capital_of_australia_is_not_in_the_articles(seed_assistant):
    answer = seed_assistant.ask("Quelle est la capitale de l'Australie ?")
    assert answer.abstained and not answer.citations and answer.short is None
    assert answer.answer.startswith("Je ne trouve pas")


def test_an_off_topic_question_abstains_after_another_question(seed_assistant):
    first = seed_assistant.ask("Quel organisme dirige Ghada Waly ?")
    assert not first.abstained
    answer = seed_assistant.ask("Quel temps fera-t-il demain à Paris ?", history=[first])
    assert answer.abstained


def test_an_english_question_on_the_french_article_names_the_technical_assistance(seed_assistant, seed_text):
    answer = seed_assistant.ask("What did the UNODC chief promise Vietnam?")
    assert not answer.abstained
    assert "assistance technique" in answer.citations[0].quote
    assert answer.short is not None and "assistance technique" in answer.short.text
    assert seed_text[answer.short.start:answer.short.end] == answer.short.text
    assert answer.answer.startswith(answer.short.text) and "“" in answer.answer


def test_corrupt_weights_fall_back_to_the_hand_tuned_step_with_a_warning(make_settings, embedder, tmp_path, caplog):
    from convqa.assistant import Assistant

    broken = tmp_path / "reader"
    shutil.copytree(WEIGHTS_DIR, broken)
    data = bytearray((broken / "reader.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (broken / "reader.safetensors").write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        assistant = Assistant(make_settings(SEED_CORPUS, reader_dir=broken), embedder=embedder)
    message = next(r.getMessage() for r in caplog.records if "reader" in r.getMessage())
    assert "corrupt" in message and "CONVQA_READER_DIR" in message and "\n" not in message
    assert assistant.status()["answerer"].startswith("sentences (reader unavailable")
    assistant.index()
    answer = assistant.ask("Quel organisme dirige Ghada Waly ?")
    assert "ONUDC" in answer.answer and answer.short is None


def test_missing_weights_fall_back_too(make_settings, embedder, tmp_path, caplog):
    from convqa.assistant import Assistant

    with caplog.at_level(logging.WARNING):
        assistant = Assistant(make_settings(SEED_CORPUS, reader_dir=tmp_path / "nowhere"), embedder=embedder)
    assert any("missing" in r.getMessage() for r in caplog.records)
    assert "reader unavailable" in assistant.status()["answerer"]


@pytest.mark.slow
def test_train_reader_smoke_run_writes_loadable_weights(tmp_path):
    """A few steps on a few questions: the command keeps working (never the shipped weights)."""
    data = json.loads(PIAF.read_text(encoding="utf-8"))
    from convqa.evaluation.dataset import split_of

    # A small dataset with both tune articles (trained on) and test ones (never read).
    tune = [a for a in data["data"] if split_of(a["title"]) == "tune"][:3]
    test = [a for a in data["data"] if split_of(a["title"]) == "test"][:1]
    small = tmp_path / "small.json"
    small.write_text(json.dumps({"version": "1.0", "data": tune + test}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "reader"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "convqa"), "train-reader", "--dataset", str(small), "--out", str(out),
         "--limit", "6", "--epochs", "1", "--json"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["figures"]["train_questions"] <= 6
    from convqa.reader.model import file_sha256, read_config

    config = read_config(out)
    assert config.sha256 == file_sha256(out / "reader.safetensors") == report["config"]["sha256"]
    assert config.data_sha256 and json.loads(config.notes)["options"]["epochs"] == 1
    assert (out / "reader.safetensors").stat().st_size < 60e6
