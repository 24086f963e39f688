"""What the convqa commands print, on hand-built inputs: the articles table, and a default
in every option's help. No model, no store."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from convqa.cli import app
from convqa.cli.articles import _print_table
from convqa.index.catalog import ArticleInfo

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

ARTICLES = [
    ArticleInfo(
        "hanoi-convention-2025-10-25",
        "Le secrétaire général To Lam reçoit les chefs de délégation venus signer la Convention de Hanoï",
        "2025-10-25",
        "https://www.vietnamplus.vn/tong-bi-thu-to-lam-post1072702.vnp",
        "hanoi-convention-2025-10-25.md",
        "fr",
        12,
    ),
    ArticleInfo("a", "Court [b]", "", "", "a.md", "fr", 3),
    ArticleInfo("viaduc-de-millau", "Le viaduc", "2024-12-14", "", "viaduc-de-millau.txt", "fr", 105),
]


def test_the_articles_table_lines_up_whatever_the_ids_lengths(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    _print_table(ARTICLES)
    lines = capsys.readouterr().out.splitlines()
    assert "\x1b" not in "".join(lines)  # not a terminal: no colour codes
    assert max(len(line) for line in lines) <= 80 and all(line == line.rstrip() for line in lines)
    header = lines[0]
    assert header.split() == ["ID", "DATE", "PASSAGES", "TITLE"]
    date, passages_end, title = header.index("DATE"), header.index("PASSAGES") + len("PASSAGES"), header.index("TITLE")
    rows = {line.split()[0]: line for line in lines[1:] if not line.startswith(" ")}
    assert list(rows) == ["hanoi-convention-2025-10-25", "a", "viaduc-de-millau"]
    for article in ARTICLES:
        row = rows[article.doc_id]
        assert row.index(article.date or "-", len(article.doc_id)) == date, row
        assert row[:passages_end].endswith(f" {article.passages}"), row  # right-aligned under its header
        assert row[title:].startswith(article.title[:10]), row
    # A long title and the source's site wrap inside the title column, never under the other columns.
    continued = [line for line in lines[1:] if line.startswith(" ")]
    assert continued and all(line[:title].strip() == "" and line[title] != " " for line in continued)
    assert "[b]" in rows["a"]  # titles are text, not rich markup
    assert [line.strip() for line in continued][-1] == "vietnamplus.vn"  # the source's site; --json has the URL


def test_no_articles_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("CONVQA_DATA_DIR", "/nonexistent/convqa-data")
    result = CliRunner().invoke(app, ["articles"])
    assert result.exit_code == 1 and "run `convqa index` first" in result.output


def commands() -> list[tuple[str, typer.core.TyperCommand]]:
    """Every command by its words (``models install`` for a group's), groups walked into."""
    found = []
    for name, command in typer.main.get_command(app).commands.items():
        subcommands = getattr(command, "commands", None)
        found += [(f"{name} {sub}", c) for sub, c in subcommands.items()] if subcommands else [(name, command)]
    return sorted(found)


@pytest.mark.parametrize(("name", "command"), commands(), ids=[name for name, _ in commands()])
def test_every_option_shows_its_default_unless_it_is_a_flag_or_required(name, command):
    shown = CliRunner().invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    context = typer.Context(command, info_name=name)
    checked = 0
    for param in command.params:
        # typer carries its own click: the options are told by their kind, not their class.
        if param.param_type_name != "option" or param.is_flag or param.required:
            continue
        options, words = param.get_help_record(context)
        assert re.search(r"\bdefault[: ]", words), f"convqa {name} {options}: {words}"
        assert " ".join(words.split()) in " ".join(shown.output.split()), f"convqa {name} --help lacks {options}"
        checked += 1
    assert checked >= 1, f"convqa {name}: its options were not walked"


def test_the_help_gives_the_defaults_of_the_settings():
    shown = " ".join(CliRunner().invoke(app, ["ask", "--help"], env={"COLUMNS": "200"}).output.split())
    assert "--top-k <int> Passages to cite [env CONVQA_TOP_K, default 5]." in shown
    assert "--model <str> Embedding model name or folder [env CONVQA_MODEL, default embeddinggemma-300m]." in shown
    served = " ".join(CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).output.split())
    assert "[env CONVQA_HOST, default 127.0.0.1]" in served and "[env CONVQA_PORT, default 7860]" in served
