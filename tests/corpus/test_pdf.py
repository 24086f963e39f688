"""PDF articles: the text layer with wrapped lines rejoined, metadata, refusals, and answers."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from convqa.corpus.chunker import chunk_article
from convqa.corpus.loader import load_corpus, read_article
from convqa.corpus.sentences import sentence_spans
from pdfs import make_pdf

HEADING = "La Loire à sec : les mariniers d'Orléans inquiets"
PARAGRAPHS = [
    "Le niveau de la Loire a atteint mercredi son plus bas niveau depuis 1976 à Orléans, selon la "
    "préfecture du Loiret. Les bateaux de promenade restent à quai depuis le début du mois d'août, "
    "faute d'un tirant d'eau suffisant.",
    "Les mariniers estiment leurs pertes à 40 000 euros pour l'été. « Nous n'avons jamais vu ça », "
    "explique le président de l'association des bateliers, qui demande une aide de la région.",
    "La préfecture a interdit toute navigation de plaisance entre Orléans et Beaugency jusqu'au 15 septembre.",
]


def loire_pdf(**kwargs) -> bytes:
    return make_pdf(HEADING, PARAGRAPHS, **kwargs)


def test_text_and_metadata_of_a_pdf(tmp_path: Path):
    created = datetime(2025, 8, 14, 9, 30, tzinfo=timezone.utc)
    (tmp_path / "loire.pdf").write_bytes(loire_pdf(title=HEADING, author="Rédaction Centre", created=created))
    article = read_article(tmp_path / "loire.pdf", root=tmp_path)
    assert article.doc_id == "loire" and article.path == "loire.pdf"
    assert article.title == HEADING
    # Wrapped lines are one paragraph again; the heading printed on the page is not body text.
    assert article.text == "\n\n".join(PARAGRAPHS)
    assert (article.date, article.author, article.lang) == ("2025-08-14", "Rédaction Centre", "fr")


def test_without_a_metadata_title_the_first_short_line_is_the_title(tmp_path: Path):
    (tmp_path / "sans-titre.pdf").write_bytes(loire_pdf())
    article = read_article(tmp_path / "sans-titre.pdf", root=tmp_path)
    assert article.title == HEADING
    assert article.text == "\n\n".join(PARAGRAPHS)


def test_a_generator_default_title_is_not_taken(tmp_path: Path):
    (tmp_path / "loire.pdf").write_bytes(loire_pdf(title="Microsoft Word - brouillon.docx"))
    assert read_article(tmp_path / "loire.pdf").title == HEADING


def test_sentences_wrapped_across_lines_are_whole_in_chunks(tmp_path: Path):
    (tmp_path / "loire.pdf").write_bytes(loire_pdf(title=HEADING))
    article = read_article(tmp_path / "loire.pdf", root=tmp_path)
    sentence = (
        "Les bateaux de promenade restent à quai depuis le début du mois d'août, faute d'un tirant d'eau suffisant."
    )
    spans = [article.text[s:e] for s, e in sentence_spans(article.text)]
    assert sentence in spans
    for chunk in chunk_article(article, max_words=40, min_words=5):
        assert article.text[chunk.start : chunk.end] == chunk.text


def test_unreadable_pdfs_are_skipped_with_a_reason(tmp_path: Path):
    from fpdf import FPDF

    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 150, style="F")  # a page with a picture and no text layer
    (tmp_path / "scan.pdf").write_bytes(bytes(scan.output()))
    (tmp_path / "fake.pdf").write_bytes("Titre\nUn texte qui n'est pas un PDF.\n".encode())
    (tmp_path / "broken.pdf").write_bytes(loire_pdf()[:300])
    (tmp_path / "loire.pdf").write_bytes(loire_pdf())
    articles, warnings = load_corpus(tmp_path)
    assert [a.doc_id for a in articles] == ["loire"]
    joined = "\n".join(warnings)
    for name, reason in [("scan.pdf", "no text layer"), ("fake.pdf", "not a PDF"), ("broken.pdf", "cannot be read")]:
        assert any(name in w and reason in w for w in warnings), joined
    assert len(warnings) == 3


def test_a_question_about_a_pdf_article_quotes_it_exactly(corpus_copy, make_settings, embedder):
    from convqa.assistant import Assistant

    (corpus_copy / "loire-a-sec.pdf").write_bytes(loire_pdf(title=HEADING))
    article = read_article(corpus_copy / "loire-a-sec.pdf", root=corpus_copy)
    assistant = Assistant(make_settings(corpus_copy), embedder=embedder)
    report = assistant.index()
    assert report.documents == 2 and report.warnings == []
    answer = assistant.ask("À combien les mariniers d'Orléans estiment-ils leurs pertes ?")
    first = answer.citations[0]
    assert first.doc_id == "loire-a-sec" and first.title == HEADING
    assert "40 000 euros" in first.quote and "40 000 euros" in answer.answer
    assert article.text[first.quote_start : first.quote_end] == first.quote
    assert article.text[first.start : first.end] == first.text


def test_a_pdf_authors_name_is_stored_with_its_chunks(corpus_copy, make_settings, embedder):
    from convqa.assistant import Assistant

    (corpus_copy / "loire.pdf").write_bytes(loire_pdf(title=HEADING, author="Rédaction Centre"))
    assistant = Assistant(make_settings(corpus_copy), embedder=embedder)
    assert assistant.index().warnings == []
    _, _, metadatas = assistant.store.all()
    loire = [m for m in metadatas if m["doc_id"] == "loire"]
    others = [m for m in metadatas if m["doc_id"] != "loire"]
    assert loire and others
    assert {m["author"] for m in loire} == {"Rédaction Centre"}
    # Articles that name no author carry no key: their chunks stay what they were.
    assert not any("author" in m for m in others)
