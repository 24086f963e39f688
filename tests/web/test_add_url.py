"""Adding an article from a link (``/add_url``): the page is fetched, saved into the
corpus and answerable with exact offsets; a refused link changes nothing."""

from __future__ import annotations

import pytest

from convqa.corpus.loader import read_article
from convqa.settings import Settings
from convqa.web.handlers import WebApp


def corpus_files(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.mark.slow
def test_a_linked_page_becomes_answerable_with_exact_offsets(client, app_server, page_server):
    url = page_server.publish("passerelle.html", "Lunel-Viel")
    result = client.predict(url=url, api_name="/add_url")
    assert result["ok"], result["message"]
    saved = result["saved"][0]
    assert saved["created"] and saved["title"] == "La passerelle de Lunel-Viel ouvre aux cyclistes"
    assert result["index"]["added"] >= 1

    article = read_article(app_server.corpus_dir / saved["file"], root=app_server.corpus_dir)
    answer = client.predict(question="Combien mesure la passerelle de Lunel-Viel ?", api_name="/ask")
    assert "212 mètres" in answer["answer"]
    first = answer["citations"][0]
    assert first["doc_id"] == saved["doc_id"] and first["source"] == url
    assert article.text[first["start"] : first["end"]] == first["text"]
    assert article.text[first["quote_start"] : first["quote_end"]] == first["quote"]
    assert "Accueil" not in article.text and "droits réservés" not in article.text  # the article, not the page

    again = client.predict(url=url, api_name="/add_url")
    assert again["saved"][0]["created"] is False and again["index"] is None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("missing.html", None, "404"),
        ("archive.zip", b"PK\x03\x04" + bytes(300), "content type"),
        ("file:///etc/passwd", None, "http"),
    ],
)
def test_a_refused_link_leaves_the_corpus_unchanged(client, app_server, page_server, name, body, reason):
    if body is not None:
        page_server.serve(name, body, "application/zip")
    url = name if ":" in name else page_server.url + name
    before = corpus_files(app_server.corpus_dir)
    result = client.predict(url=url, api_name="/add_url")
    assert result["ok"] is False and result["saved"] == [] and result["index"] is None
    message = result["refused"][0]["message"]
    assert reason in message and "\n" not in message
    assert corpus_files(app_server.corpus_dir) == before


def test_private_addresses_are_refused_by_default(page_server, tmp_path):
    url = page_server.publish("passerelle.html", "Lunel-Viel")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    app = WebApp(Settings(corpus_dir=corpus, data_dir=tmp_path / "data"), assistant=None)  # refusals index nothing
    result = app.add_url(url)
    assert result["ok"] is False and result["index"] is None
    assert "127.0.0.1" in result["refused"][0]["message"]
    assert list(corpus.iterdir()) == []
