"""The corpus loader: formats, metadata, and files that must be skipped with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from convqa.corpus.loader import load_corpus, read_article
from paths import SEED_CORPUS, SEED_ID

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Un pont rouvre à Lyon | Le Journal</title>
<meta property="og:title" content="Un pont rouvre à Lyon">
<link rel="canonical" href="https://example.org/pont-lyon">
<meta name="date" content="2025-09-01">
<script>window.tracking = true;</script></head>
<body><nav><a href="/">Accueil</a> <a href="/sport">Sport</a></nav>
<article><h1>Un pont rouvre à Lyon</h1>
<p>Le pont Wilson a rouvert lundi après dix-huit mois de travaux, a annoncé la métropole de Lyon.</p>
<p>Les travaux ont coûté 32 millions d'euros et permettent désormais le passage des tramways.</p>
<p>Les cyclistes disposent de deux pistes séparées de la chaussée sur toute la longueur de l'ouvrage.</p>
</article><footer>Mentions légales - Comment (0)</footer></body></html>"""


def test_seed_article_is_clean_with_metadata():
    article = read_article(SEED_CORPUS / f"{SEED_ID}.md")
    assert article.doc_id == SEED_ID
    assert article.date == "2025-10-25" and article.lang == "fr"
    assert article.source.startswith("https://www.vietnamplus.vn/")
    assert article.text.startswith("Dans l'après-midi du 25 octobre")
    assert "Comment (0)" not in article.text and not article.text.endswith("\n")


def test_html_page_main_text_and_metadata_are_extracted(tmp_path: Path):
    (tmp_path / "pont.html").write_text(HTML, encoding="utf-8")
    article = read_article(tmp_path / "pont.html", root=tmp_path)
    assert article.title == "Un pont rouvre à Lyon"
    assert article.source == "https://example.org/pont-lyon"
    assert "32 millions d'euros" in article.text
    assert article.text.startswith("Le pont Wilson a rouvert lundi")  # the <h1>, the title again, is not body
    assert "window.tracking" not in article.text and "Accueil" not in article.text


def test_plain_text_takes_its_first_short_line_as_title(tmp_path: Path):
    (tmp_path / "note.txt").write_text("Titre court\nPremier paragraphe du texte.\n", encoding="utf-8")
    article = read_article(tmp_path / "note.txt", root=tmp_path)
    assert (article.title, article.text, article.doc_id) == ("Titre court", "Premier paragraphe du texte.", "note")


def test_legacy_encodings_are_decoded(tmp_path: Path):
    text = "Titre\nLe député a présenté un projet de loi très attendu à l'Assemblée nationale, où il a été débattu.\n"
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    articles, warnings = load_corpus(tmp_path)
    assert warnings == []
    assert [a.text for a in articles] == [text.split("\n")[1]] * 2


def test_unreadable_files_are_skipped_with_a_warning_naming_them(tmp_path: Path):
    (tmp_path / "good.txt").write_text("Bon titre\nUn texte lisible.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "big.txt").write_bytes(b"a" * 2000)
    articles, warnings = load_corpus(tmp_path, max_bytes=1000)
    assert [a.doc_id for a in articles] == ["good"]
    joined = "\n".join(warnings)
    for name, reason in [
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("photo.png", "unsupported"),
        ("big.txt", "limit"),
    ]:
        assert any(name in w and reason in w for w in warnings), joined
