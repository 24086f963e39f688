"""Questions that name only things no article mentions (convqa.answer.names), checked
against a real lexical index with its French analysis."""

from __future__ import annotations

import pytest

from convqa.answer.names import names_nothing_known, question_names
from convqa.index.lexical import LexicalIndex, terms_of

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

TEXTS = [
    "Le Vietnam a signé la Convention de Hanoï contre la cybercriminalité.",
    "Mme Ghada Waly dirige l'Office des Nations Unies contre la drogue et le crime.",
]


def lexical() -> LexicalIndex:
    metadatas = [{"doc_id": f"a{i}", "title": "Convention de Hanoï"} for i in range(len(TEXTS))]
    rows = [(f"c{i}", text, m, terms_of(text, m)) for i, (text, m) in enumerate(zip(TEXTS, metadatas))]
    return LexicalIndex.from_rows(rows)


def test_names_are_the_capitalised_words_after_the_first():
    assert question_names("Quelle est la capitale de l'Australie ?") == ["Australie"]
    assert question_names("L'Australie a-t-elle signé ?") == ["Australie"]
    assert question_names("Qui dirige Ghada Waly ?") == ["Ghada", "Waly"]
    # Centuries in Roman numerals and single letters name nothing.
    assert question_names("Que s'est-il passé au XVIIIème siècle et au XXe ?") == []
    assert question_names("Où Q prononçait-elle ses leçons ?") == []


def test_a_french_question_about_unmentioned_things_is_caught():
    index = lexical()
    assert names_nothing_known("Quelle est la capitale de l'Australie ?", "fr", index.mentions)
    assert names_nothing_known("Quel temps fera-t-il demain à Paris ?", "fr", index.mentions)


def test_one_known_name_is_enough_and_other_questions_are_left_alone():
    index = lexical()
    # Accents and inflection go through the same analysis as the articles.
    assert not names_nothing_known("Qu'a promis l'ONU au Vietnam à Genève ?", "fr", index.mentions)
    assert not names_nothing_known("Que dirige Mme Waly ?", "fr", index.mentions)
    assert not names_nothing_known("Quel est le texte signé à Hanoi ?", "fr", index.mentions)
    # No name at all: other signals decide.
    assert not names_nothing_known("Combien de pays ont signé ?", "fr", index.mentions)
    # A capitalised stop word names nothing (« Au Strutthof » is still caught by its name).
    assert names_nothing_known("Combien de personnes furent déportées Au Strutthof ?", "fr", index.mentions)
    # English names are often spelt otherwise in French articles: not judged.
    assert not names_nothing_known("What did Ecuador's vice-president say?", "en", index.mentions)


def test_an_excluded_article_mentions_nothing():
    # As retrieval does for `exclude` (convqa eval --held-out-articles): only the other
    # articles' passages count.
    index = lexical()
    assert index.mentions("Waly") and index.mentions("Waly", exclude=frozenset({"a0"}))
    assert not index.mentions("Waly", exclude=frozenset({"a1"}))
    assert names_nothing_known("Que dirige Mme Waly ?", "fr", lambda n: index.mentions(n, frozenset({"a1"})))
