"""``convqa add``: a page fetched from a local site becomes an answerable, exactly cited article."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from convqa.corpus.loader import load_corpus, read_article
from newsroom import PAGE, closed_port, html, news_site
from paths import SEED_CORPUS, SEED_ID
from pdfs import make_pdf

CONVQA = Path(sys.executable).with_name("convqa")  # the installed console script


def convqa(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    # 80 columns, whatever the terminal the tests run in: what a pipe gets from rich by default.
    env = os.environ | {"HF_HUB_OFFLINE": "1", "CONVQA_DATA_DIR": str(data_dir), "COLUMNS": "80"}
    return subprocess.run([str(CONVQA), *args], capture_output=True, text=True, env=env, timeout=600)


def one_line_error(result: subprocess.CompletedProcess, code: int, reason: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("error: ") and reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


#: How lines() writes a run's time.
SECONDS = "<seconds> s"


def lines(result: subprocess.CompletedProcess) -> list[str]:
    """A successful run's output lines, its time (``in 2.3 s``) written ``in <seconds> s``."""
    assert result.returncode == 0, result.stderr
    return [re.sub(r" in \d+\.\d s$", f" in {SECONDS}", line) for line in result.stdout.splitlines()]


#: A local page whose <h1> is its title, and the text below it.
SHORT_TITLE = "Le tram arrive à Besançon"
SHORT_TEXT = [
    "La première rame du nouveau tramway a circulé samedi entre la gare Viotte et le quartier de Planoise.",
    "La ville attend vingt mille voyageurs par jour dès la rentrée, selon le syndicat des transports.",
]
SHORT_PAGE = (
    f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{SHORT_TITLE}</title></head><body>'
    f"<article><h1>{SHORT_TITLE}</h1>" + "".join(f"<p>{p}</p>" for p in SHORT_TEXT) + "</article></body></html>"
)
#: The text of newsroom.PAGE below its <h1>.
PAGE_TITLE = "Les abeilles reviennent à Montreuil"


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
    assert lines(again) == [
        f"{Path(report['path']).name}: already in the corpus as {Path(report['path']).name}",
        f"1 unchanged — 1 article ({report['index']['chunks']} passages) in {SECONDS}",
    ]


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
    assert lines(result) == [
        "saved vendanges-precoces.pdf: Vendanges précoces en Alsace",
        f"1 article added (1 passage) — 1 article (1 passage) in {SECONDS}",
    ]
    assert (corpus / "vendanges-precoces.pdf").read_bytes() == pdf.read_bytes()


@pytest.mark.slow
def test_index_add_and_remove_count_articles_then_passages_and_saved_articles_read_back(site, tmp_path):
    """One user's session: each command says its run in articles first, passages in brackets;
    a local page and a fetched one read back with their title once and their own text."""
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    shutil.copytree(SEED_CORPUS, corpus)
    local = tmp_path / "a.html"  # a one-letter id beside the seed's long one
    local.write_text(SHORT_PAGE, encoding="utf-8")
    url = f"{site.url}/page.html"

    indexed = lines(convqa("index", "--corpus", str(corpus), data_dir=data))
    added_file = lines(convqa("add", str(local), "--corpus", str(corpus), data_dir=data))
    fetched = lines(convqa("add", url, "--allow-private", "--corpus", str(corpus), data_dir=data))
    listed = convqa("articles", "--json", data_dir=data)
    passages = {a["doc_id"]: a["passages"] for a in json.loads(listed.stdout)}
    seed, short, page = passages[SEED_ID], passages["a"], passages["les-abeilles-reviennent-a-montreuil"]
    assert indexed == [f"1 article added ({seed} passages) — 1 article ({seed} passages) in {SECONDS}"]
    assert added_file == [
        f"saved a.html: {SHORT_TITLE}",
        f"1 article added ({short} passage{'s' * (short > 1)}) · 1 unchanged — 2 articles ({seed + short} passages)"
        f" in {SECONDS}",
    ]
    assert fetched == [
        f"saved les-abeilles-reviennent-a-montreuil.md: {PAGE_TITLE}",
        f"1 article added ({page} passage{'s' * (page > 1)}) · 2 unchanged — 3 articles ({seed + short + page}"
        f" passages) in {SECONDS}",
    ]

    # What was saved reads back as it was given: the title once, in its field; the same text.
    articles = {a.doc_id: a for a in load_corpus(corpus)[0]}
    assert (articles["a"].title, articles["a"].text) == (SHORT_TITLE, "\n".join(SHORT_TEXT))
    assert (corpus / "a.html").read_bytes() == local.read_bytes()
    saved = articles["les-abeilles-reviennent-a-montreuil"]
    assert saved.title == PAGE_TITLE and saved.source == url
    assert saved.text.startswith("La mairie de Montreuil a installé quarante ruches") and PAGE_TITLE not in saved.text
    front, body = (corpus / saved.path).read_text(encoding="utf-8").split("\n---\n", 1)
    assert front.splitlines() == ["---", f"title: {PAGE_TITLE}", f"source: {url}", "date: '2025-06-03'", "lang: fr"]
    assert body.strip() == saved.text

    # The table: each column starts where its header does, whatever the id's length.
    table = convqa("articles", data_dir=data).stdout.splitlines()
    header, rows = table[0], [line for line in table[1:] if not line.startswith(" ")]
    assert [row.split()[0] for row in rows] == [a["doc_id"] for a in json.loads(listed.stdout)]
    for row in rows:
        assert row[header.index("DATE") :].split()[0] in ("-", "2025-10-25", "2025-06-03"), row
        assert row[header.index("TITLE") - 2 : header.index("TITLE")] == "  " and row[header.index("TITLE")] != " "
    assert max(map(len, table)) <= 80

    removed = lines(convqa("remove", "a", "--corpus", str(corpus), data_dir=data))
    assert removed == [
        f"removed a.html: {SHORT_TITLE}",
        f"1 article removed ({short} passage{'s' * (short > 1)}) · 2 unchanged — 2 articles ({seed + page} passages)"
        f" in {SECONDS}",
    ]
    status = convqa("status", data_dir=data).stdout.splitlines()
    assert "        indexer: default" in status


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
