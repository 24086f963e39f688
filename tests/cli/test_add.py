"""``convqa add``: a page fetched from a local site becomes an answerable, exactly cited article."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from convqa.corpus.loader import read_article
from newsroom import PAGE, closed_port, html, news_site
from pdfs import make_pdf

CONVQA = Path(sys.executable).with_name("convqa")  # the installed console script


def convqa(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"HF_HUB_OFFLINE": "1", "CONVQA_DATA_DIR": str(data_dir)}
    return subprocess.run([str(CONVQA), *args], capture_output=True, text=True, env=env, timeout=600)


def one_line_error(result: subprocess.CompletedProcess, code: int, reason: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("error: ") and reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def site():
    with news_site({"/page.html": html(PAGE)}) as running:
        yield running


@pytest.mark.slow
def test_add_a_url_then_ask_about_it(site, tmp_path):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    url = f"{site.url}/page.html"
    result = convqa("add", url, "--allow-private", "--corpus", str(corpus), "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["created"] and report["title"] == "Les abeilles reviennent à Montreuil"
    assert report["index"]["documents"] == 1 and report["index"]["added"] == report["index"]["chunks"] > 0
    article = read_article(Path(report["path"]), root=corpus)
    assert article.source == url

    asked = convqa("ask", "--json", "Combien de ruches la mairie de Montreuil a-t-elle installées ?", data_dir=data)
    assert asked.returncode == 0, asked.stderr
    first = json.loads(asked.stdout)["citations"][0]
    assert first["doc_id"] == article.doc_id and first["source"] == url
    assert "quarante ruches" in first["quote"]
    assert article.text[first["quote_start"] : first["quote_end"]] == first["quote"]

    again = convqa("add", url, "--allow-private", "--corpus", str(corpus), data_dir=data)
    assert again.returncode == 0, again.stderr
    assert "already in the corpus" in again.stdout and "0 added" in again.stdout
    assert len(again.stdout.strip().splitlines()) == 1


@pytest.mark.slow
def test_add_a_local_pdf_file(tmp_path):
    pdf = tmp_path / "Vendanges précoces.pdf"
    pdf.write_bytes(
        make_pdf(
            "Vendanges précoces en Alsace",
            ["Les vendanges ont commencé le 18 août en Alsace, deux semaines plus tôt que d'habitude."],
        )
    )
    corpus = tmp_path / "corpus"
    result = convqa("add", str(pdf), "--corpus", str(corpus), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("saved vendanges-precoces.pdf: Vendanges précoces en Alsace; index: 1 articles")
    assert (corpus / "vendanges-precoces.pdf").read_bytes() == pdf.read_bytes()


@pytest.mark.parametrize(
    ("target", "flags", "code", "reason"),
    [
        ("{site}/page.html", [], 2, "a private, loopback or reserved address: refused"),
        ("{site}/nowhere.html", ["--allow-private"], 1, "the server answered 404"),
        ("http://127.0.0.1:{closed}/page.html", ["--allow-private"], 1, "cannot reach 127.0.0.1"),
        ("ftp://example.org/page.html", [], 2, "only http:// and https:// URLs"),
        ("missing-article.txt", [], 2, "no such file: missing-article.txt"),
        ("{tmp}/photo.png", [], 2, "file type .png is not accepted (use .txt, .md, .html, .pdf)"),
    ],
)
def test_add_refusals_are_one_line_and_write_nothing(site, tmp_path, target, flags, code, reason):
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n")
    corpus = tmp_path / "corpus"
    target = target.format(site=site.url, closed=closed_port(), tmp=tmp_path)
    result = convqa("add", target, *flags, "--corpus", str(corpus), data_dir=tmp_path / "data")
    one_line_error(result, code, reason)
    assert not corpus.exists() and not (tmp_path / "data").exists()
