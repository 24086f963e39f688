"""Saving uploaded and pasted articles: only safe names, only readable articles, no overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from convqa.corpus.loader import load_corpus, read_article
from convqa.corpus.uploads import safe_filename, save_article_bytes, save_markdown, save_pasted, save_upload
from convqa.errors import CorpusError
from paths import SEED_ID
from pdfs import make_pdf

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

LIMIT = 100_000
ARTICLE = "Un pont rouvre à Lyon\nLe pont Wilson a rouvert lundi après dix-huit mois de travaux, a annoncé la métropole.\n".encode()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones included) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(corpus: Path, data: bytes, name: str, reason: str, limit: int = LIMIT) -> str:
    """Assert the upload is refused with a one-line message naming ``reason`` and changes nothing."""
    before = snapshot(corpus)
    with pytest.raises(CorpusError) as info:
        save_article_bytes(data, name, corpus, max_bytes=limit)
    message = str(info.value)
    assert reason in message
    assert "\n" not in message
    assert snapshot(corpus) == before
    assert sorted(p.name for p in corpus.iterdir()) == sorted(Path(k).parts[0] for k in before)
    return message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.MD", "evil.md"),
        ("/abs/path/Été à Paris!.html", "ete-a-paris.html"),
        (".hidden.htm", "hidden.htm"),
        ("..txt", "article.txt"),
    ],
)
def test_file_names_are_reduced_to_a_slug_of_their_base_name(name, expected):
    assert safe_filename(name) == expected


def test_traversal_names_land_inside_the_corpus_folder(tmp_path):
    corpus = tmp_path / "corpus"
    for name in ("../../etc/passwd.txt", "..\\..\\x\\passwd.md", "/etc/cron.d/job.txt"):
        saved = save_article_bytes(ARTICLE + name.encode(), name, corpus, max_bytes=LIMIT)
        assert saved.path.parent == corpus
        assert saved.created
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]
    assert not (tmp_path / "etc").exists()


def test_names_without_an_article_suffix_are_refused(corpus_copy):
    refused(corpus_copy, ARTICLE, "../../etc/passwd", "not accepted")


@pytest.mark.parametrize("name", ["photo.png", "script.py", "doc.docx", "page.php", "archive.tar.gz", "notes.markdown"])
def test_other_file_types_are_refused(corpus_copy, name):
    message = refused(corpus_copy, ARTICLE, name, "not accepted")
    assert ".txt, .md, .html, .pdf" in message


def test_a_pdf_upload_is_saved_as_is_and_read_from_its_text_layer(corpus_copy):
    pdf = make_pdf(
        "Un pont rouvre à Lyon",
        ["Le pont Wilson a rouvert lundi après dix-huit mois de travaux, a annoncé la métropole."],
    )
    saved = save_article_bytes(pdf, "Pont Wilson.PDF", corpus_copy, max_bytes=LIMIT)
    assert saved.created and saved.path == corpus_copy / "pont-wilson.pdf"
    assert saved.path.read_bytes() == pdf
    assert (saved.doc_id, saved.title) == ("pont-wilson", "Un pont rouvre à Lyon")
    assert read_article(saved.path).text.startswith("Le pont Wilson a rouvert lundi")


def test_a_file_named_pdf_that_is_not_one_is_refused(corpus_copy):
    refused(corpus_copy, ARTICLE, "article.pdf", "not a PDF")


def test_accepted_types_upper_case_included(tmp_path):
    html = (
        b"<html><head><title>Pont</title></head><body><article><p>"
        + b"Le pont Wilson a rouvert lundi apres des travaux. " * 5
        + b"</p></article></body></html>"
    )
    for name, data in (
        ("a.TXT", ARTICLE),
        ("b.Md", b"# Titre\nUn texte de plus d'une ligne."),
        ("c.HTM", html),
        ("d.html", html + b" "),
    ):
        saved = save_article_bytes(data, name, tmp_path, max_bytes=LIMIT)
        assert saved.path.suffix == saved.path.suffix.lower()


def test_files_over_the_size_limit_are_refused(corpus_copy):
    message = refused(corpus_copy, ARTICLE * 200, "big.txt", "over the", limit=5_000)
    assert "MB" in message


def test_the_size_limit_is_checked_before_reading_an_uploaded_file(tmp_path, corpus_copy):
    big = tmp_path / "big.txt"
    big.write_bytes(ARTICLE * 2000)
    before = snapshot(corpus_copy)
    with pytest.raises(CorpusError, match="over the"):
        save_upload(big, corpus_copy, max_bytes=10_000)
    assert snapshot(corpus_copy) == before


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "photo.txt", "binary"),
        (b"", "empty.txt", "empty"),
        (
            b"<html><head><script>var a = 1;</script></head><body><div></div></body></html>",
            "page.html",
            "no article text",
        ),
        (b"---\ntitle: [unclosed\n---\nTexte.", "bad.md", "front matter"),
        (b"---\ntitle: Seulement un titre\n---\n", "notext.md", "no text"),
    ],
)
def test_unreadable_articles_are_refused_and_nothing_is_written(corpus_copy, data, name, reason):
    refused(corpus_copy, data, name, reason)


def test_junk_already_in_the_folder_does_not_make_the_same_junk_acceptable(corpus_copy):
    junk = b"\x00\x01 not an article"
    (corpus_copy / "junk.txt").write_bytes(junk)
    refused(corpus_copy, junk, "junk-again.txt", "binary")


def test_a_refused_file_leaves_the_indexed_articles_readable(corpus_copy):
    refused(corpus_copy, b"\x00\x01\x02binary", "hanoi-convention-2025-10-25.md", "binary")
    articles, warnings = load_corpus(corpus_copy)
    assert [a.doc_id for a in articles] == [SEED_ID] and warnings == []


def test_a_taken_name_gets_a_numeric_suffix_and_the_original_is_untouched(corpus_copy):
    seed = corpus_copy / f"{SEED_ID}.md"
    original = seed.read_bytes()
    other = "---\ntitle: Autre article\n---\nUn autre texte, sans rapport avec la convention.\n".encode()
    saved = save_article_bytes(other, seed.name, corpus_copy, max_bytes=LIMIT)
    assert saved.created
    assert saved.path.name == f"{SEED_ID}-2.md"
    assert saved.doc_id == f"{SEED_ID}-2"
    assert "was taken" in saved.message
    assert seed.read_bytes() == original
    third = save_article_bytes(other.replace(b"Un autre", b"Un troisieme"), seed.name, corpus_copy, max_bytes=LIMIT)
    assert third.path.name == f"{SEED_ID}-3.md"
    articles, warnings = load_corpus(corpus_copy)
    assert len(articles) == 3 and warnings == []


def test_the_same_content_uploaded_again_is_a_no_op(corpus_copy):
    first = save_article_bytes(ARTICLE, "pont.txt", corpus_copy, max_bytes=LIMIT)
    before = snapshot(corpus_copy)
    again = save_article_bytes(ARTICLE, "pont.txt", corpus_copy, max_bytes=LIMIT)
    renamed = save_article_bytes(ARTICLE, "other-name.txt", corpus_copy, max_bytes=LIMIT)
    assert first.created and not again.created and not renamed.created
    assert again.path == renamed.path == first.path
    assert "already in the corpus" in again.message
    assert snapshot(corpus_copy) == before


def test_the_same_text_in_another_format_is_a_no_op(corpus_copy):
    seed = read_article(corpus_copy / f"{SEED_ID}.md", root=corpus_copy)
    as_text = f"{seed.title}\n{seed.text}\n".encode()
    before = snapshot(corpus_copy)
    saved = save_article_bytes(as_text, "copie.txt", corpus_copy, max_bytes=LIMIT)
    assert not saved.created and saved.doc_id == SEED_ID
    assert snapshot(corpus_copy) == before


def test_an_explicit_id_already_used_is_refused(corpus_copy):
    data = f"---\nid: {SEED_ID}\ntitle: Imposteur\n---\nUn texte different qui reprend le meme identifiant.\n".encode()
    message = refused(corpus_copy, data, "imposteur.md", "already used")
    assert SEED_ID in message


def test_no_staging_files_are_left_behind(corpus_copy):
    save_article_bytes(ARTICLE, "pont.txt", corpus_copy, max_bytes=LIMIT)
    with pytest.raises(CorpusError):
        save_article_bytes(b"\x00binary", "x.txt", corpus_copy, max_bytes=LIMIT)
    assert not [p for p in corpus_copy.iterdir() if p.name.startswith(".")]


def test_a_pasted_article_round_trips_through_yaml_front_matter(tmp_path):
    title = 'Titre: "guillemets" — #1 ---\n<script>alert(1)</script> & {x: [y]}'
    text = "---\nmeta: pas du front matter\n---\nLe maire <b>Dupont</b> a inauguré <img src=x onerror=alert(1)> la médiathèque.\n\nSecond paragraphe."
    saved = save_pasted(title, text, tmp_path, source="https://example.org/a?b=1&c='2'", max_bytes=LIMIT)
    assert saved.created and saved.path.suffix == ".md" and saved.path.parent == tmp_path
    article = read_article(saved.path, root=tmp_path)
    assert article.title == 'Titre: "guillemets" — #1 --- <script>alert(1)</script> & {x: [y]}'
    assert article.source == "https://example.org/a?b=1&c='2'"
    assert article.text.startswith("---\nmeta: pas du front matter\n---\nLe maire <b>Dupont</b>")
    assert "<img src=x onerror=alert(1)>" in article.text
    assert article.doc_id == saved.doc_id
    assert article.lang == "fr"


def test_the_front_matter_has_plain_keys_and_the_first_article_saves_without_a_warning(tmp_path, caplog):
    saved = save_markdown(
        "Budget : Lille vote ses comptes",
        "Le conseil municipal a adopté lundi un budget de 980 millions d'euros.",
        tmp_path / "corpus",
        source="https://example.org/budget",
        date="2025-06-03",
        lang="fr",
        max_bytes=LIMIT,
    )
    assert saved.path.read_text(encoding="utf-8") == (
        "---\ntitle: 'Budget : Lille vote ses comptes'\nsource: https://example.org/budget\ndate: '2025-06-03'\n"
        "lang: fr\n---\n\nLe conseil municipal a adopté lundi un budget de 980 millions d'euros.\n"
    )
    article = read_article(saved.path)
    assert (article.title, article.date) == ("Budget : Lille vote ses comptes", "2025-06-03")
    # The empty folder was read to compare, not indexed: its "no readable article" is not said.
    assert caplog.records == []


@pytest.mark.parametrize(
    ("title", "source", "text", "reason"),
    [
        ("", "", "Un texte.", "needs a title"),
        ("Titre", "", "   \n ", "text is empty"),
        ("Titre", "javascript:alert(1)", "Un texte.", "http"),
        ("Titre", "ftp://example.org/a", "Un texte.", "http"),
        ("Titre", "https://exa mple.org", "Un texte.", "http"),
        ("T" * 301, "", "Un texte.", "limit"),
    ],
)
def test_bad_pasted_articles_are_refused(tmp_path, title, source, text, reason):
    with pytest.raises(CorpusError, match=reason):
        save_pasted(title, text, tmp_path, source=source, max_bytes=LIMIT)
    assert list(tmp_path.iterdir()) == []


def test_a_pasted_article_over_the_limit_is_refused(tmp_path):
    with pytest.raises(CorpusError, match="over the"):
        save_pasted("Long", "mot " * 5000, tmp_path, max_bytes=5_000)
    assert list(tmp_path.iterdir()) == []
