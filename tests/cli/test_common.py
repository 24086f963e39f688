"""The helpers the convqa commands share, on hand-built settings and reports: no model, no store."""

from __future__ import annotations

import json

import pytest
import typer

from convqa.cli.common import fail, print_report, require_index, settings_from
from convqa.errors import ConvqaError
from convqa.index.builder import IndexReport
from convqa.settings import Settings

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def test_a_bad_option_is_one_error_naming_the_setting():
    with pytest.raises(ConvqaError, match=r"^invalid setting port: "):
        settings_from(port=99999)


def test_options_not_given_leave_the_settings_as_they_are(tmp_path):
    assert settings_from(data_dir=None, top_k=None) == Settings()
    assert settings_from(data_dir=tmp_path, top_k=None).data_dir == Settings(data_dir=tmp_path).data_dir


def test_an_index_is_a_chroma_folder_or_a_server(tmp_path):
    with pytest.raises(ConvqaError, match="run `convqa index` first") as refused:
        require_index(Settings(data_dir=tmp_path))
    assert str(tmp_path) in str(refused.value)
    require_index(Settings(data_dir=tmp_path / "nowhere", chroma_url="http://127.0.0.1:9"))
    (tmp_path / "chroma").mkdir()
    require_index(Settings(data_dir=tmp_path))


def test_fail_prints_one_line_on_stderr_and_exits_with_the_code(capsys):
    with pytest.raises(typer.Exit) as stopped:
        fail("the question is empty", 2)
    assert stopped.value.exit_code == 2
    assert capsys.readouterr() == ("", "error: the question is empty\n")


REPORT = IndexReport(
    added=2,
    skipped=3,
    documents=1,
    chunks=5,
    seconds=0.5,
    articles_added=1,
    passages_added=2,
    warnings=["w"],
    message="m",
)


def test_the_json_report_has_the_counts_and_warnings_but_not_the_message(capsys):
    print_report(REPORT, as_json=True)
    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "added": 2,
        "updated": 0,
        "skipped": 3,
        "deleted": 0,
        "documents": 1,
        "chunks": 5,
        "seconds": 0.5,
        "articles_added": 1,
        "articles_updated": 0,
        "articles_deleted": 0,
        "articles_unchanged": 0,
        "passages_added": 2,
        "passages_updated": 0,
        "passages_deleted": 0,
        "warnings": ["w"],
    }


def test_the_plain_report_is_the_message_then_one_line_in_articles(capsys):
    print_report(REPORT, as_json=False)
    assert capsys.readouterr().out == "m\n1 article added (2 passages) — 1 article (5 passages) in 0.5 s\n"
