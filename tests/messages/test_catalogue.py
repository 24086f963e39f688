"""The message catalogues: one wording per code and language, the same codes and parameters
in each, numbers written the language's way, and every raise site naming a known code."""

from __future__ import annotations

import ast
import json
import pickle
import string
from pathlib import Path

import pytest

from convqa.errors import BadQuestionError, ConvqaError, CorpusError
from convqa.messages import CATALOGUES, Message, en, fr, say

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

SRC = Path(__file__).resolve().parents[2] / "src" / "convqa"
#: Calls whose first argument is a message code (the coded errors and Message itself).
CODED = {
    "Message",
    "CodedError",
    "ConvqaError",
    "BadQuestionError",
    "CorpusError",
    "StoreError",
    "UnreadableArticle",
    "FetchError",
    "PageRefused",
    "GenerationError",
}


def fields(template: str) -> dict[str, set[tuple[str | None, str]]]:
    """Each replacement field of ``template``: its conversions and format specs.

    A count's words (``{n:plural:article ajouté|articles ajoutés}``) are each language's
    own, and a language may need none ("2 unchanged", « 2 inchangés »): they are left out.
    """
    found: dict[str, set[tuple[str | None, str]]] = {}
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is not None:
            found.setdefault(name, set())
            if not spec.startswith("plural:"):
                found[name].add((conversion, spec))
    return found


def test_every_language_has_the_same_codes_and_parameters():
    assert set(CATALOGUES) == {"en", "fr"}
    assert list(fr.MESSAGES) == list(en.MESSAGES)
    for code, english in en.MESSAGES.items():
        assert fields(fr.MESSAGES[code]) == fields(english), code
        assert "path" not in fields(english), f"{code}: gradio_client would fetch a {{'path': …}} as a file"


def test_the_english_line_is_str_of_the_error():
    error = BadQuestionError("question_too_long", chars=5000, limit=2000)
    assert str(error) == "the question is 5,000 characters long; the limit is 2,000"
    assert isinstance(error, ValueError) and isinstance(error, ConvqaError)
    assert error.code == "question_too_long" and error.message.params == {"chars": 5000, "limit": 2000}


def test_french_numbers_group_thousands_with_a_narrow_space_and_use_a_decimal_comma():
    assert Message("question_too_long", chars=2001, limit=2000).say("fr") == (
        "la question fait 2\u202f001 caractères ; la limite est de 2\u202f000"
    )
    assert Message("over_limit", mb=1.5, limit_mb=5.0).say("fr") == "1,5 Mo, au-delà de la limite de 5,0 Mo"
    assert Message("over_limit", mb=1.5, limit_mb=5.0) == "1.5 MB, over the 5.0 MB limit"


def test_a_count_takes_each_languages_singular_and_plural():
    said = {(n, lang): Message("index_added", n=n).say(lang) for n in (0, 1, 2, 2001) for lang in ("en", "fr")}
    assert said == {
        (0, "en"): "0 articles added",
        (1, "en"): "1 article added",
        (2, "en"): "2 articles added",
        (2001, "en"): "2,001 articles added",
        (0, "fr"): "0 article ajouté",
        (1, "fr"): "1 article ajouté",
        (2, "fr"): "2 articles ajoutés",
        (2001, "fr"): "2\u202f001 articles ajoutés",
    }
    assert Message("index_passages", n=1) == "(1 passage)" and Message("index_passages", n=0).say("fr") == "(0 passage)"


def test_a_message_inside_a_message_is_said_in_the_same_language():
    line = Message(
        "skipped", file=Path("a/photo.txt"), reason=CorpusError("named", name="x", reason=Message("binary_file"))
    )
    assert line == "skipped a/photo.txt: x: binary file (NUL bytes), not an article"
    assert line.say("fr") == "ignoré a/photo.txt : x: fichier binaire (octets NUL), pas un article"
    # Text from outside the project keeps its words.
    assert Message("skipped", file="b.txt", reason=UnicodeError("bad byte")).say("fr") == "ignoré b.txt : bad byte"


def test_messages_and_errors_survive_json_pickles_and_copies():
    line = Message("skipped", file="a.txt", reason=Message("file_too_large", mb=6.0, limit_mb=5.0))
    again = Message.from_dict(json.loads(json.dumps(line.to_dict())))
    assert again == line and again.say("fr") == line.say("fr")
    assert pickle.loads(pickle.dumps(line)).say("fr") == line.say("fr")
    error = pickle.loads(pickle.dumps(CorpusError("no_such_file", file="x.md")))
    assert isinstance(error, CorpusError) and error.message.say("fr") == "fichier introuvable : x.md"


def test_an_unknown_code_is_refused():
    with pytest.raises(KeyError):
        Message("the question is empty")
    assert say("plain text", "fr") == "plain text"


def _coded_calls():
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name in CODED:
                    yield path.relative_to(SRC), node


def test_every_raise_site_names_a_known_code_with_its_parameters():
    seen = 0
    for where, call in _coded_calls():
        first = call.args[0]
        codes = (
            [first]
            if isinstance(first, ast.Constant)
            else [first.body, first.orelse]
            if isinstance(first, ast.IfExp)
            else []
        )
        if not codes:  # a code passed along by name (``_clean_line``'s ``too_long``, Message's own)
            assert isinstance(first, ast.Name), f"{where}:{call.lineno}: the code must be a literal"
            continue
        given = {k.arg for k in call.keywords}
        for code in codes:
            assert isinstance(code, ast.Constant) and code.value in en.MESSAGES, f"{where}:{call.lineno}"
            if None not in given:  # no **params
                assert given == set(fields(en.MESSAGES[code.value])), f"{where}:{call.lineno}: {code.value}"
            seen += 1
    assert seen > 80


def test_every_code_is_said_somewhere_in_the_code():
    literals = {
        node.value
        for path in SRC.rglob("*.py")
        if "messages" not in path.parts
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
    }
    assert [code for code in en.MESSAGES if code not in literals] == []
