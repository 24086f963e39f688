"""The convqa command, run as a user runs it: a subprocess with the real model and store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paths import SEED_CORPUS, SEED_ID


def convqa(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = os.environ | {"HF_HUB_OFFLINE": "1"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "convqa.cli", *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=600
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli-data")
    result = convqa("index", "--corpus", str(SEED_CORPUS), "--data-dir", str(data), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {"added", "updated", "skipped", "deleted", "documents", "chunks", "seconds"}
    assert report["documents"] == 1 and report["added"] == report["chunks"] > 0
    return data


def test_help_lists_the_commands():
    result = convqa("--help")
    assert result.returncode == 0
    for command in ("index", "ask", "status", "serve"):
        assert command in result.stdout


def command_names(help_text: str) -> list[str]:
    """The commands a ``--help`` lists, in its order."""
    return [line.split()[0] for line in help_text.partition("Commands:")[2].splitlines() if line.strip()]


def test_both_front_doors_list_the_commands_in_one_order():
    script = Path(sys.executable).with_name("convqa")  # the installed console script
    by_script = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=600)
    assert by_script.returncode == 0, by_script.stderr
    expected = [
        "index",
        "add",
        "ask",
        "status",
        "serve",
        "articles",
        "remove",
        "eval",
        "train-reader",
        "train-answerer",
        "models",
    ]
    assert command_names(convqa("--help").stdout) == command_names(by_script.stdout) == expected


def test_ask_json_answers_unodc_with_exact_citation(indexed, seed_text):
    result = convqa("ask", "--json", "--data-dir", str(indexed), "Quel organisme dirige Ghada Waly ?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"question", "answer", "short", "abstained", "citations", "timings"}
    assert "Office des Nations Unies contre la drogue et le crime (ONUDC)" in data["answer"]
    first = data["citations"][0]
    assert set(first) == {
        "n",
        "doc_id",
        "title",
        "source",
        "text",
        "start",
        "end",
        "quote",
        "quote_start",
        "quote_end",
        "score",
    }
    assert first["doc_id"] == SEED_ID and "Ghada Waly" in first["quote"]
    assert seed_text[first["quote_start"] : first["quote_end"]] == first["quote"]


def test_ask_in_english_prints_answer_and_sources(indexed):
    result = convqa(
        "ask", "--data-dir", str(indexed), "Which country's vice-president spoke for the heads of delegation?"
    )
    assert result.returncode == 0, result.stderr
    answer, _, sources = result.stdout.partition("Sources:")
    assert "Équateur" in answer and "[1]" in answer
    assert "[1] " in sources and "vietnamplus.vn" in sources


def test_status_reports_consistent_counts(indexed):
    result = convqa("status", "--json", "--data-dir", str(indexed))
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["documents"] == 1 and status["store"] == "embedded"
    assert status["chunks"] == status["lexical_chunks"] == status["records"] > 0
    assert status["model"] == "multilingual-e5-small"
    assert status["data_dir"] == str(indexed.resolve()) and status["indexer"] is None
    plain = convqa("status", "--data-dir", str(indexed)).stdout.splitlines()
    assert "        indexer: default" in plain  # the only indexer of its store, not "None"


def test_unchanged_corpus_embeds_nothing(indexed):
    result = convqa("index", "--corpus", str(SEED_CORPUS), "--data-dir", str(indexed), "--json")
    report = json.loads(result.stdout)
    assert report["added"] == report["updated"] == report["deleted"] == 0
    assert report["skipped"] == report["chunks"]


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "the question is empty"), ("   ", "the question is empty"), ("x" * 2001, "the limit is 2,000")],
)
def test_bad_question_is_one_line_and_exit_code_2(tmp_path, question, message):
    result = convqa("ask", "--data-dir", str(tmp_path), question)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {message}" or message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_corpus_folder_is_named(tmp_path):
    result = convqa("index", "--corpus", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "corpus folder not found" in result.stderr and "nope" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_without_an_index_says_so(tmp_path):
    result = convqa("status", "--data-dir", str(tmp_path / "missing"))
    assert result.returncode == 1 and "run `convqa index` first" in result.stderr


def test_unreachable_chroma_server_is_a_clear_error(tmp_path):
    result = convqa(
        "index", "--corpus", str(SEED_CORPUS), "--data-dir", str(tmp_path), "--chroma-url", "http://127.0.0.1:9"
    )
    assert result.returncode == 1
    assert "Chroma server not reachable at http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_help_shows_the_environment_variable_and_the_default():
    result = convqa("index", "--help", env={"COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())  # the help wraps at 60 columns
    assert "--data-dir <path> Index folder [env CONVQA_DATA_DIR, default .convqa]." in shown


def imported_modules(*args: str) -> set[str]:
    """The modules a ``convqa`` run imports (``python -X importtime``); fails if the run fails."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "convqa.cli", *args],
        capture_output=True,
        text=True,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize(
    "args", [("status", "--json"), ("articles", "--json"), ("index", "--corpus", str(SEED_CORPUS))]
)
def test_status_articles_and_an_unchanged_index_load_no_model(indexed, args):
    modules = imported_modules(*args, "--data-dir", str(indexed))
    assert "convqa.index.catalog" in modules  # the light path did run
    assert not {"torch", "transformers", "sentence_transformers"} & modules


def test_articles_lists_what_is_indexed(indexed):
    result = convqa("articles", "--json", "--data-dir", str(indexed))
    assert result.returncode == 0, result.stderr
    (article,) = json.loads(result.stdout)
    assert article["doc_id"] == SEED_ID and article["date"] == "2025-10-25" and article["passages"] > 5
    assert article["source"].startswith("https://www.vietnamplus.vn/") and article["file"] == f"{SEED_ID}.md"
    header, row, *_ = convqa("articles", "--data-dir", str(indexed), env={"COLUMNS": "80"}).stdout.splitlines()
    assert header.split() == ["ID", "DATE", "PASSAGES", "TITLE"]
    assert row.split()[:3] == [SEED_ID, "2025-10-25", str(article["passages"])]


def test_remove_deletes_the_file_and_its_passages(indexed, tmp_path):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    shutil.copytree(SEED_CORPUS, corpus)
    shutil.copytree(indexed, data)
    unknown = convqa("remove", "nope", "--corpus", str(corpus), "--data-dir", str(data))
    assert unknown.returncode == 1 and "no such article: nope" in unknown.stderr

    result = convqa("remove", SEED_ID, "--corpus", str(corpus), "--data-dir", str(data), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["removed"]["doc_id"] == SEED_ID and report["index"]["articles_deleted"] == 1
    assert not (corpus / f"{SEED_ID}.md").exists()
    status = json.loads(convqa("status", "--json", "--data-dir", str(data)).stdout)
    assert (status["documents"], status["chunks"], status["lexical_chunks"], status["records"]) == (0, 0, 0, 0)
    assert json.loads(convqa("articles", "--json", "--data-dir", str(data)).stdout) == []


def test_an_empty_corpus_is_named_with_the_accepted_formats(tmp_path):
    (tmp_path / "corpus").mkdir()
    result = convqa("index", "--corpus", str(tmp_path / "corpus"), "--data-dir", str(tmp_path / "data"), "--json")
    assert result.returncode == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert str(tmp_path / "corpus") in warning and ".txt, .md, .html, .pdf" in warning
