"""Every error code is shown in the page's language: French on a French page, English on an
English one, through the functions the app renders errors and reports with."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from convqa.corpus.fetch import save_url
from convqa.corpus.loader import load_corpus
from convqa.corpus.uploads import save_article_bytes
from convqa.errors import BadQuestionError, ConvqaError, CorpusError
from convqa.messages import Message, en, fr
from convqa.question import validate_question
from convqa.web import render
from convqa.web.i18n import TEXTS
from convqa.web.library import codes

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def sample(name: str, spec: str) -> object:
    """A value for a field: a number where the field has a number spec, else text naming it."""
    if "," in spec:
        return 12345
    if spec.endswith(("f", "g")):
        return 2.5
    return f"v-{name}"


def raised(code: str) -> ConvqaError:
    """The error of ``code``, raised and caught, with a value for each of its parameters."""
    params: dict[str, object] = {}
    for _, name, spec, _ in string.Formatter().parse(en.MESSAGES[code]):
        if name:  # a count's words (``{n:plural:…}``) go with the number the same field gives
            params.setdefault(name, sample(name, "," if spec.startswith("plural:") else spec))
    if "reason" in params:  # a reason is often a message itself: it must be said in the page's language too
        params["reason"] = Message("empty_file")
    try:
        raise ConvqaError(code, **params)
    except ConvqaError as exc:
        return exc


def words(template: str) -> list[str]:
    """The fixed text of a template, as escaped pieces (what must appear on the page)."""
    return [render.esc(text).strip() for text, *_ in string.Formatter().parse(template) if text.strip()]


@pytest.mark.parametrize("code", list(en.MESSAGES))
def test_each_error_is_shown_in_the_page_language(code):
    error = raised(code)
    french, english = render.render_error(error.message, "fr"), render.render_error(error.message, "en")
    assert french.startswith('<div class="cq-error"><b>Question refusée :</b> ')
    assert english.startswith('<div class="cq-error"><b>Question refused:</b> ')
    assert all(piece in french for piece in words(fr.MESSAGES[code])), french
    assert all(piece in english for piece in words(en.MESSAGES[code])), english
    assert render.esc(str(error)) in english and french != english.replace("Question refused:", "Question refusée :")
    if "reason" in error.message.params:
        assert "fichier vide" in french and "empty file" in english
    if any(isinstance(v, int) for v in error.message.params.values()):
        assert "12\u202f345" in french and "12,345" in english
    if any(isinstance(v, float) for v in error.message.params.values()):
        assert "2,5" in french and "2.5" in english


@pytest.mark.parametrize("code", list(en.MESSAGES))
def test_each_refusal_in_a_report_is_shown_in_the_page_language(code):
    message = raised(code).message
    result = {"refused": [{"message": str(message)}], "codes": codes([message])}
    assert render.report_markdown(result, "fr") == f"**{TEXTS['fr']['refused']} :** {render.esc(message.say('fr'))}"
    assert render.report_markdown(result, "en") == f"**{TEXTS['en']['refused']}:** {render.esc(str(message))}"


def test_errors_raised_by_the_library_are_shown_in_french():
    with pytest.raises(BadQuestionError) as question:
        validate_question("mot " * 600, 2000)
    assert "la question fait 2\u202f400 caractères ; la limite est de 2\u202f000" in render.render_error(
        question.value.message, "fr"
    )
    with pytest.raises(CorpusError) as upload:
        save_article_bytes(b"\x00\x01binary", "photo.txt", Path("/nonexistent-corpus"), max_bytes=1000)
    assert upload.value.message.say("fr") == "photo.txt: fichier binaire (octets NUL), pas un article"
    with pytest.raises(CorpusError) as fetched:
        save_url("http://127.0.0.1:9/article", Path("/nonexistent-corpus"), max_bytes=1000)
    assert fetched.value.message.say("fr").startswith("127.0.0.1 pointe vers 127.0.0.1, une adresse privée")


def test_corpus_warnings_are_said_in_french(tmp_path):
    (tmp_path / "a.txt").write_text("Titre\n\nUn texte.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x00binary")
    (tmp_path / "c.docx").write_bytes(b"x")
    _, warnings = load_corpus(tmp_path)
    result = {"index": {"warnings": warnings}, "codes": codes(warnings)}
    shown = render.report_markdown(result, "fr").split("\n\n")[1:]
    assert shown == [
        "**Avertissement :** ignoré b.txt : fichier binaire (octets NUL), pas un article",
        "**Avertissement :** ignoré c.docx : type de fichier .docx non pris en charge",
    ]
