"""The chat's HTML: article text and questions are always escaped, quotes are marked exactly."""

from __future__ import annotations

from convqa.answer.types import Answer, Citation
from convqa.web import render

PASSAGE = "Le pont <b>neuf</b> a coûté 4,7 millions d'euros. Il ouvre en mai."


def citation(n: int = 1, source: str = "https://example.org/a") -> Citation:
    quote = "Le pont <b>neuf</b> a coûté 4,7 millions d'euros."
    return Citation(n, "pont", "Titre <script>x</script>", source, PASSAGE, 100, 100 + len(PASSAGE),
                    quote, 100, 100 + len(quote), 1.0)


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
