"""The chat's HTML: article text and questions are always escaped, quotes are marked exactly."""

from __future__ import annotations

import pytest

from convqa.answer.types import Answer, Citation
from convqa.messages import Message
from convqa.web import render
from convqa.web.library import codes

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

PASSAGE = "Le pont <b>neuf</b> a coûté 4,7 millions d'euros. Il ouvre en mai."


def citation(n: int = 1, source: str = "https://example.org/a") -> Citation:
    quote = "Le pont <b>neuf</b> a coûté 4,7 millions d'euros."
    return Citation(
        n,
        "pont",
        "Titre <script>x</script>",
        source,
        PASSAGE,
        100,
        100 + len(PASSAGE),
        quote,
        100,
        100 + len(quote),
        1.0,
    )


def test_esc_escapes_markup_and_keeps_one_line():
    assert render.esc('<img src=x onerror="a">\nz') == "&lt;img src=x onerror=&quot;a&quot;&gt;<br>z"


def test_only_plain_http_links_are_kept():
    assert render.safe_href("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "https://exa mple.org", "", "ftp://x.org"):
        assert render.safe_href(bad) is None


def test_the_passage_marks_exactly_the_quote_and_escapes_the_rest():
    card = render.render_citation(citation(), None, "fr")
    assert "<mark>Le pont &lt;b&gt;neuf&lt;/b&gt; a coûté 4,7 millions d&#x27;euros.</mark> Il ouvre en mai." in card
    assert "<script>" not in card and "&lt;script&gt;" in card


def test_a_javascript_source_gets_no_link():
    assert "href=" not in render.render_citation(citation(source="javascript:alert(1)"), None, "fr")


def test_stream_pieces_grow_to_the_whole_text():
    pieces = list(render.stream_pieces("un deux trois quatre cinq", words_per_piece=2))
    assert pieces == ["un deux", "un deux trois quatre", "un deux trois quatre cinq"]


def test_an_answer_shows_its_markers_and_every_source_once():
    answer = Answer("Combien ?", "Le pont a coûté 4,7 millions d'euros. [1]", False, [citation(1), citation(2)])
    html = render.render_answer(answer)
    assert html.count('class="cq-source"') == 2 and '<sup class="cq-ref">[1]</sup>' in html
    assert "<b>neuf</b>" not in html


def test_an_abstention_shows_no_sources():
    html = render.render_answer(Answer("Quel temps ?", "Je ne trouve pas de réponse.", True, []))
    assert "cq-abstain" in html and "cq-source" not in html


def test_a_short_answer_is_bold_above_the_quote_and_marked_in_source_1():
    from convqa.answer.types import ShortAnswer

    c = citation(1)
    span = "4,7 millions d'euros"
    start = c.quote_start + c.quote.index(span)
    short = ShortAnswer(span, "pont", start, start + len(span), n=1)
    answer = Answer("Combien ?", f"{span} — « Le pont neuf a coûté {span}. » [1]", False, [c], short=short)
    html = render.render_answer(answer, lang="fr")
    assert html.startswith('<div class="cq-short">4,7 millions d&#x27;euros</div><div class="cq-answer">« Le pont')
    assert html.count("<mark>4,7 millions d&#x27;euros</mark>") == 2  # in the quote, and in source [1]'s passage
    assert (
        '<span class="cq-quote">Le pont &lt;b&gt;neuf&lt;/b&gt; a coûté <mark>4,7 millions d&#x27;euros</mark>.</span>'
        " Il ouvre en mai."
    ) in html
    streamed = render.render_partial("« Le pont neuf a coûté 4,7", span)
    assert streamed.startswith('<div class="cq-short">') and "<mark>" not in streamed  # the span is not complete yet


def test_the_words_around_an_answer_follow_the_page_not_the_question():
    answer = Answer("How much?", "Le pont a coûté 4,7 millions d'euros. [1]", False, [citation(1)], language="en")
    context = render.Context(PASSAGE, 100, 100 + len(PASSAGE))
    french = render.render_answer(answer, lambda c: context, lang="fr")
    assert "Voir dans l’article" in french and "Show in the article" not in french
    english = render.render_answer(answer, lambda c: context, lang="en")
    assert "Show in the article" in english and "Voir dans l’article" not in english
    assert render.render_error(Message("question_no_words"), "fr") == (
        '<div class="cq-error"><b>Question refusée :</b> la question ne contient aucun mot</div>'
    )
    # Text that carries no code (a library's own line) is shown as written.
    assert render.render_error("the question has no words", "fr").endswith("> the question has no words</div>")


def test_reports_count_articles_in_the_page_language():
    saved = Message("saved", file="viaduc.txt", title="Le viaduc")
    refused = Message("named", name="photo.txt", reason=Message("binary_file"))
    result = {
        "saved": [{"created": True, "message": str(saved)}],
        "refused": [{"message": str(refused)}],
        "index": {
            "added": 2,
            "updated": 0,
            "deleted": 0,
            "articles_added": 1,
            "articles_unchanged": 3,
            "passages_added": 2,
            "documents": 4,
            "chunks": 30,
            "seconds": 1.25,
            "warnings": [],
        },
        "codes": codes([saved, refused]),
    }
    assert render.report_markdown(result, "en").split("\n\n") == [
        "**Added:** saved viaduc.txt: Le viaduc",
        "**Refused:** photo.txt: binary file (NUL bytes), not an article",
        "**Index:** 1 article added (2 passages) · 3 unchanged — 4 articles (30 passages) in 1.2 s",
    ]
    assert render.report_markdown(result, "fr").split("\n\n") == [
        "**Ajouté :** enregistré sous viaduc.txt : Le viaduc",
        "**Refusé :** photo.txt: fichier binaire (octets NUL), pas un article",
        "**Index :** 1 article ajouté (2 passages) · 3 inchangés — 4 articles (30 passages) en 1,2 s",
    ]
