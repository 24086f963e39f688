"""Fetching news pages by URL from a local site: saved with their source, or refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from convqa.corpus.fetch import FetchError, PageRefused, save_url
from convqa.corpus.loader import read_article
from newsroom import PAGE, Route, closed_port, html, news_site
from pdfs import make_pdf

LIMIT = 200_000
#: The page's text below its <h1>: the title is in the front matter, not again in the body.
PARAGRAPHS = [
    "La mairie de Montreuil a installé quarante ruches sur les toits des écoles de la ville au printemps, "
    "a annoncé mardi l'adjointe chargée de l'environnement.",
    "Selon l'apiculteur municipal, chaque ruche a produit en moyenne douze kilos de miel depuis avril, "
    "un record pour un site urbain de la région.",
    "Les élèves de CM2 participeront à la récolte de septembre, et le miel sera vendu au profit de la caisse des écoles.",
]
LEGACY = """<html><head><title>Crue de la Garonne</title></head><body><article>
<h1>La Garonne déborde à Agen</h1>
<p>La Garonne a atteint 9,20 mètres à Agen jeudi soir, obligeant la préfecture à évacuer trois quartiers proches des quais.</p>
<p>Les pompiers ont effectué une centaine de sauvetages pendant la nuit, sans faire de blessé grave.</p>
</article></body></html>"""
PDF = make_pdf(
    "Budget : Lille vote ses comptes",
    ["Le conseil municipal de Lille a adopté lundi un budget de 980 millions d'euros, en hausse de 3 %."],
    title="Budget : Lille vote ses comptes",
)

ROUTES = {
    "/page.html": html(PAGE),
    "/ancien.html": html(LEGACY, "windows-1252"),
    "/moved": Route(status=302, headers={"Location": "/page.html"}),
    "/budget": Route(PDF, headers={"Content-Type": "application/pdf"}),
    "/blob": Route(b"\x00\x01\x02" * 100, headers={"Content-Type": "application/octet-stream"}),
    # 13 MB with no Content-Length: only reading tells how big it is.
    "/huge.html": Route(
        b"<p>" + "miel de Montreuil ".encode() * 3600 + b"</p>", headers={"Content-Type": "text/html"}, repeat=200
    ),
    "/declared.html": Route(b"<p>court</p>", headers={"Content-Type": "text/html", "Content-Length": "50000000"}),
    "/to-file": Route(status=302, headers={"Location": "file:///etc/passwd"}),
    "/to-ftp": Route(status=301, headers={"Location": "ftp://127.0.0.1/pub/article.html"}),
    "/loop": Route(status=302, headers={"Location": "/loop"}),
    "/empty.html": html("<html><head><script>var a = 1;</script></head><body><div></div></body></html>"),
}


@pytest.fixture(scope="module")
def site():
    with news_site(ROUTES) as running:
        yield running


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_page_is_fetched_extracted_and_saved_with_its_source(site, tmp_path):
    corpus = tmp_path / "corpus"
    url = f"{site.url}/page.html"
    saved = save_url(url, corpus, max_bytes=LIMIT, allow_private=True)
    assert saved.created and saved.path == corpus / "les-abeilles-reviennent-a-montreuil.md"
    article = read_article(saved.path, root=corpus)
    assert (article.title, article.source, article.date, article.lang) == (
        "Les abeilles reviennent à Montreuil",
        url,
        "2025-06-03",
        "fr",
    )
    assert article.text == "\n".join(PARAGRAPHS)
    saved_text = saved.path.read_text(encoding="utf-8")
    assert saved_text.startswith("---\ntitle: Les abeilles reviennent à Montreuil\nsource: ")  # plain YAML keys
    assert saved_text.count("Les abeilles reviennent à Montreuil") == 1
    assert saved.doc_id == article.doc_id == "les-abeilles-reviennent-a-montreuil"
    again = save_url(url, corpus, max_bytes=LIMIT, allow_private=True)
    assert not again.created and again.path == saved.path
    assert [p.name for p in corpus.iterdir()] == [saved.path.name]


def test_redirects_are_followed_and_the_final_url_is_the_source(site, tmp_path):
    saved = save_url(f"{site.url}/moved", tmp_path, max_bytes=LIMIT, allow_private=True)
    assert read_article(saved.path).source == f"{site.url}/page.html"


def test_the_declared_charset_is_used(site, tmp_path):
    saved = save_url(f"{site.url}/ancien.html", tmp_path, max_bytes=LIMIT, allow_private=True)
    article = read_article(saved.path)
    assert "La Garonne a atteint 9,20 mètres à Agen jeudi soir, obligeant la préfecture" in article.text


def test_a_pdf_url_is_read_through_the_format_registry(site, tmp_path):
    saved = save_url(f"{site.url}/budget", tmp_path, max_bytes=LIMIT, allow_private=True)
    article = read_article(saved.path)
    assert saved.path.suffix == ".md" and article.title == "Budget : Lille vote ses comptes"
    assert (
        article.text
        == "Le conseil municipal de Lille a adopté lundi un budget de 980 millions d'euros, en hausse de 3 %."
    )
    assert article.source == f"{site.url}/budget"


@pytest.mark.parametrize(
    ("path", "error", "reason"),
    [
        ("/blob", PageRefused, "content type application/octet-stream"),
        ("/huge.html", PageRefused, "over the 0.2 MB limit"),
        ("/declared.html", PageRefused, "over the 0.2 MB limit"),
        ("/to-file", PageRefused, "redirected to a non-http(s) URL (file:"),
        ("/to-ftp", PageRefused, "redirected to a non-http(s) URL (ftp:"),
        ("/loop", PageRefused, "more than 5 redirects"),
        ("/empty.html", PageRefused, "no article text"),
        ("/missing.html", FetchError, "the server answered 404"),
    ],
)
def test_bad_pages_are_refused_with_one_line_and_nothing_written(site, corpus_copy, path, error, reason):
    before = snapshot(corpus_copy)
    with pytest.raises(error) as info:
        save_url(f"{site.url}{path}", corpus_copy, max_bytes=LIMIT, allow_private=True)
    message = str(info.value)
    assert reason in message and "\n" not in message
    assert snapshot(corpus_copy) == before


def test_an_unreachable_host_is_a_fetch_error(corpus_copy):
    port = closed_port()
    before = snapshot(corpus_copy)
    with pytest.raises(FetchError) as info:
        save_url(f"http://127.0.0.1:{port}/page.html", corpus_copy, max_bytes=LIMIT, allow_private=True)
    assert not isinstance(info.value, PageRefused)
    assert str(info.value) == f"cannot reach 127.0.0.1:{port} (connection refused)"
    assert snapshot(corpus_copy) == before


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_private_addresses_are_refused_by_default_before_any_request(site, corpus_copy, host):
    port = site.url.rsplit(":", 1)[1]
    asked = len(site.requests)
    before = snapshot(corpus_copy)
    with pytest.raises(PageRefused) as info:
        save_url(f"http://{host}:{port}/page.html", corpus_copy, max_bytes=LIMIT)
    message = str(info.value)
    assert "a private, loopback or reserved address: refused" in message and "--allow-private" in message
    assert "\n" not in message
    assert len(site.requests) == asked  # not even a connection attempt reached the site
    assert snapshot(corpus_copy) == before


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/a.html", "javascript:alert(1)", "//example.org/a"]
)
def test_only_http_urls_are_fetched(tmp_path, url):
    with pytest.raises(PageRefused, match=r"only http:// and https:// URLs can be fetched"):
        save_url(url, tmp_path / "corpus", max_bytes=LIMIT)
    assert not (tmp_path / "corpus").exists()
