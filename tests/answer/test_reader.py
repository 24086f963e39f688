"""The reader step: trained by the project's own command, loaded with its sha256 checked,
run on the seed article with exact offsets, and replaced (with a warning) when its
weights are missing or corrupt.

The weights used here come from a smoke run of ``convqa train-reader`` (a few questions of
PIAF's tune split): the tests pin the plumbing, not the quality, which ``convqa eval``
measures. Quality tests of shipped weights run when weights are shipped.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from convqa.answer.reader_step import WEIGHTS_DIR
from paths import ROOT, SEED_CORPUS, SEED_ID

PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"
SHIPPED = (WEIGHTS_DIR / "reader.json").is_file()


@pytest.fixture(scope="session")
def smoke_reader(tmp_path_factory) -> tuple[Path, dict]:
    """`convqa train-reader` on a few tune questions of a small PIAF excerpt: (folder, report)."""
    if not PIAF.exists():
        pytest.skip(f"PIAF not found at {PIAF}")
    from convqa.evaluation.dataset import split_of

    tmp = tmp_path_factory.mktemp("train")
    data = json.loads(PIAF.read_text(encoding="utf-8"))
    # Tune articles (trained on) and a test one (never read).
    tune = [a for a in data["data"] if split_of(a["title"]) == "tune"][:3]
    test = [a for a in data["data"] if split_of(a["title"]) == "test"][:1]
    small = tmp / "small.json"
    small.write_text(json.dumps({"version": "1.0", "data": tune + test}, ensure_ascii=False), encoding="utf-8")
    out = tmp / "reader"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "convqa"),
            "train-reader",
            "--dataset",
            str(small),
            "--out",
            str(out),
            "--limit",
            "8",
            "--epochs",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=tmp,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return out, json.loads(result.stdout)


@pytest.fixture(scope="session")
def reader_assistant(smoke_reader, tmp_path_factory, embedder):
    from convqa.assistant import Assistant
    from convqa.settings import Settings

    settings = Settings(
        corpus_dir=SEED_CORPUS,
        data_dir=tmp_path_factory.mktemp("reader-data"),
        answerer="reader",
        reader_dir=smoke_reader[0],
    )
    assistant = Assistant(settings, embedder=embedder)
    assistant.index()
    return assistant


@pytest.mark.slow
def test_train_reader_writes_weights_with_their_checksums_and_figures(smoke_reader):
    from convqa.reader.model import file_sha256, read_config

    out, report = smoke_reader
    assert 0 < report["figures"]["train_questions"] <= 8
    config = read_config(out)
    assert config.sha256 == file_sha256(out / "reader.safetensors") == report["config"]["sha256"]
    assert config.data_sha256 and json.loads(config.notes)["options"]["epochs"] == 1
    assert len(config.calib_weights) == 4  # the answerability combiner was fitted end to end
    assert (out / "reader.safetensors").stat().st_size < 60e6


@pytest.mark.slow
def test_the_reader_step_answers_with_exact_offsets(reader_assistant, seed_text):
    assert reader_assistant.status()["answerer"].startswith("reader (reader, sha256 ")
    answer = reader_assistant.ask("Combien de pays étaient représentés à la cérémonie de signature ?", top_k=5)
    assert answer.timings["answer_ms"] > 0
    if answer.abstained:  # a smoke-trained reader may abstain; then it cites nothing
        assert not answer.citations and answer.short is None
        return
    assert len(answer.answer.replace("[1]", " ").split()) <= 40
    for c in answer.citations:
        assert seed_text[c.quote_start : c.quote_end] == c.quote and c.doc_id == SEED_ID
    if answer.short is not None:
        assert seed_text[answer.short.start : answer.short.end] == answer.short.text
        first = answer.citations[0]
        assert first.quote_start <= answer.short.start < answer.short.end <= first.quote_end
        assert answer.answer.startswith(answer.short.text)


@pytest.mark.slow
def test_corrupt_weights_fall_back_to_the_hand_tuned_step_with_a_warning(
    smoke_reader, make_settings, embedder, tmp_path, caplog
):
    from convqa.assistant import Assistant

    broken = tmp_path / "reader"
    shutil.copytree(smoke_reader[0], broken)
    data = bytearray((broken / "reader.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (broken / "reader.safetensors").write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        assistant = Assistant(make_settings(SEED_CORPUS, answerer="reader", reader_dir=broken), embedder=embedder)
    message = next(r.getMessage() for r in caplog.records if "reader" in r.getMessage())
    assert "corrupt" in message and "CONVQA_READER_DIR" in message and "\n" not in message
    assert assistant.status()["answerer"].startswith("sentences (reader unavailable")
    assistant.index()
    answer = assistant.ask("Quel organisme dirige Ghada Waly ?")
    assert "ONUDC" in answer.answer and answer.short is None


def test_missing_weights_fall_back_too(make_settings, embedder, tmp_path, caplog):
    from convqa.assistant import Assistant

    with caplog.at_level(logging.WARNING):
        assistant = Assistant(
            make_settings(SEED_CORPUS, answerer="reader", reader_dir=tmp_path / "nowhere"), embedder=embedder
        )
    assert any("missing" in r.getMessage() for r in caplog.records)
    assert "reader unavailable" in assistant.status()["answerer"]


# -- shipped weights: the questions on the seed article ------------------------------
shipped = pytest.mark.skipif(not SHIPPED, reason="no reader weights shipped yet (convqa train-reader makes them)")


@pytest.fixture(scope="session")
def shipped_assistant(tmp_path_factory, embedder):
    from convqa.assistant import Assistant
    from convqa.settings import Settings

    assistant = Assistant(
        Settings(corpus_dir=SEED_CORPUS, data_dir=tmp_path_factory.mktemp("shipped"), answerer="reader"),
        embedder=embedder,
    )
    assistant.index()
    return assistant


@shipped
def test_how_many_countries_names_110_in_the_short_answer(shipped_assistant, seed_text):
    answer = shipped_assistant.ask("Combien de pays étaient représentés à la cérémonie de signature ?")
    assert not answer.abstained and answer.short is not None and "110" in answer.short.text
    assert seed_text[answer.short.start : answer.short.end] == answer.short.text


@shipped
def test_the_capital_of_australia_is_not_in_the_articles(shipped_assistant):
    assert shipped_assistant.ask("Quelle est la capitale de l'Australie ?").abstained


@shipped
def test_an_off_topic_question_abstains_after_another_question(shipped_assistant):
    first = shipped_assistant.ask("Quel organisme dirige Ghada Waly ?")
    assert shipped_assistant.ask("Quel temps fera-t-il demain à Paris ?", history=[first]).abstained


@shipped
def test_an_english_question_names_the_technical_assistance(shipped_assistant):
    answer = shipped_assistant.ask("What did the UNODC chief promise Vietnam?")
    assert not answer.abstained and "assistance technique" in answer.citations[0].quote
    assert answer.short is not None and "assistance technique" in answer.short.text
