"""The question's analysis by rules: type, expected kind, focus, terms, needs_context."""

from __future__ import annotations

import pytest

from convqa.analysis.question import analyse_question, singular

pytestmark = pytest.mark.fast  # rules only: no model

TYPES = [
    # (question, language, wh, expects, focus)
    ("Qui a parlé au nom des chefs de délégation ?", "fr", "qui", "PER", ""),
    ("Par qui le musée a-t-il été fondé ?", "fr", "qui", "PER", ""),
    ("Que fait Muhammad Zia-ul-Haq en 1977 ?", "fr", "quoi", "", ""),
    ("Qu'ont accueilli les villes de Genève et Tunis ?", "fr", "quoi", "", ""),
    ("De quoi sont victimes les chrétiens ?", "fr", "quoi", "", ""),
    ("Quand aura lieu la prochaine Fête du cidre ?", "fr", "quand", "DATE", ""),
    ("Depuis quand la fête existe-t-elle à Lannilis ?", "fr", "quand", "DATE", ""),
    ("En quelle année la convention a-t-elle été signée ?", "fr", "quand", "DATE", "année"),
    ("À quelle époque la tour a-t-elle été construite ?", "fr", "quel", "DATE", "époque"),
    ("Où vivent les chrétiens du Pakistan ?", "fr", "ou", "LOC", ""),
    ("D'où vient le cidre de Lannilis ?", "fr", "ou", "LOC", ""),
    ("Combien de visiteurs à la Fête du cidre ?", "fr", "combien", "NUM", "visiteur"),
    ("Combien d'euros a coûté le tramway ?", "fr", "combien", "NUM", "euro"),
    ("Combien a coûté le prolongement du tramway ?", "fr", "combien", "NUM", ""),
    ("Combien de chevaux ont couru ?", "fr", "combien", "NUM", "cheval"),
    ("Combien de pays étaient représentés à la cérémonie ?", "fr", "combien", "NUM", "pays"),
    ("Pourquoi le Pakistan a-t-il été créé ?", "fr", "pourquoi", "REASON", ""),
    ("Pour quelle raison la réhabilitation a-t-elle été décidée ?", "fr", "pourquoi", "REASON", ""),
    ("Comment sont choisies les personnalités de la commission ?", "fr", "comment", "MANNER", ""),
    ("Comment s'appelle le baromètre publié par Le Point ?", "fr", "quel", "", "nom"),
    ("Quel club a remporté la coupe ?", "fr", "quel", "ORG", "club"),
    ("Quelle ville accueillera le sommet ?", "fr", "quel", "LOC", "ville"),
    ("Quel est le prix d'un pain à Lannilis ?", "fr", "quel", "NUM", "prix"),
    ("Quelle est la forme géométrique de la tour Choukhov ?", "fr", "quel", "", "forme"),
    ("Quels édifices religieux sont présents dans la ville ?", "fr", "quel", "", "édifice"),
    ("A quel musée anglais compare-t-on le musée Pouchkine ?", "fr", "quel", "", "musée"),
    ("Quel président a signé la loi ?", "fr", "quel", "PER", "président"),
    ("En début d'année 2005, France Info est classée à quelle position ?", "fr", "quel", "", "position"),
    ("Le tramway a-t-il été prolongé ?", "fr", "autre", "", ""),
    # English
    ("Who spoke on behalf of the heads of delegation?", "en", "qui", "PER", ""),
    ("What did the summit include?", "en", "quoi", "", ""),
    ("When will the next cider festival take place?", "en", "quand", "DATE", ""),
    ("In what year was the convention signed?", "en", "quand", "DATE", "year"),
    ("Where was the convention signed?", "en", "ou", "LOC", ""),
    ("How many countries were represented at the signing ceremony?", "en", "combien", "NUM", "countri"),
    ("How much did the tram extension cost?", "en", "combien", "NUM", ""),
    ("How long is the new tram line?", "en", "combien", "NUM", ""),
    ("Which city hosted the summit?", "en", "quel", "LOC", "citi"),
    ("Which club won the cup?", "en", "quel", "ORG", "club"),
    ("What country signed first?", "en", "quel", "LOC", "countri"),
    ("Why was the festival cancelled?", "en", "pourquoi", "REASON", ""),
    ("How was the mayor elected?", "en", "comment", "MANNER", ""),
]


@pytest.mark.parametrize(("text", "language", "wh", "expects", "focus"), TYPES)
def test_type_expected_kind_and_focus(text, language, wh, expects, focus):
    got = analyse_question(text, language)
    assert (got.wh, got.expects, got.focus) == (wh, expects, focus)


ALONE = [
    ("Combien de pays étaient représentés à la cérémonie ?", "fr"),
    ("Quel temps fera-t-il demain à Paris ?", "fr"),
    ("Combien y a-t-il de voiliers au départ ?", "fr"),
    ("Pourquoi Nawaz Sharif a-t-il démissionné en 1993 ?", "fr"),
    ("Le frère de Napoléon parvint-il à tenir la capitale ?", "fr"),
    ("Combien de pays ont envoyé leurs délégués ?", "fr"),
    ("Quand Marie Curie a-t-elle reçu son prix ?", "fr"),
    ("Qui a signé la convention de Hanoï ?", "fr"),
    ("Et qui a parlé au nom des chefs de délégation ?", "fr"),  # a whole question after « et »
    ("And how many countries signed the Convention?", "en"),
    ("How many countries signed the Convention?", "en"),
    ("When did Maria Artigas give her speech?", "en"),
]
FOLLOW_UPS = [
    ("Et en 2024 ?", "fr"),
    ("Et lui ?", "fr"),
    ("Et combien de visiteurs ?", "fr"),
    ("Et quand aura lieu la prochaine ?", "fr"),
    ("Où est-il né ?", "fr"),
    ("Quel est son âge ?", "fr"),
    ("Qui l'a fondé ?", "fr"),
    ("Quand a-t-elle été signée ?", "fr"),
    ("Que fait-elle ?", "fr"),
    ("Quelle est la population de sa capitale ?", "fr"),
    ("Pourquoi ?", "fr"),
    ("Combien ?", "fr"),
    ("Et à Lyon ?", "fr"),
    ("And in 2024?", "en"),
    ("What about Lyon?", "en"),
    ("When was it built?", "en"),
    ("Who founded them?", "en"),
    ("Why?", "en"),
]


@pytest.mark.parametrize(("text", "language"), ALONE)
def test_a_question_with_its_own_subject_stands_alone(text, language):
    assert not analyse_question(text, language).needs_context


@pytest.mark.parametrize(("text", "language"), FOLLOW_UPS)
def test_ellipses_pronouns_and_wordless_questions_need_the_conversation(text, language):
    assert analyse_question(text, language).needs_context


def test_terms_are_the_lexical_stems_without_question_words():
    terms = analyse_question("Combien de visiteurs à la Fête du cidre ?", "fr").terms
    assert terms == ("visiteur", "fet", "cidr")
    assert analyse_question("How many countries?", "en").terms == ("countr",)


def test_singular_of_french_plurals():
    assert [singular(w) for w in ("visiteurs", "chevaux", "bateaux", "jeux", "pays", "mois", "euros", "bus")] == [
        "visiteur",
        "cheval",
        "bateau",
        "jeu",
        "pays",
        "mois",
        "euro",
        "bus",
    ]


def test_odd_input_gives_an_analysis_not_an_error():
    for text in ("", "???", "Qui\u200b ?", "x" * 3000):
        got = analyse_question(text, "fr")
        assert got.needs_context == (len(text) < 3000)
    assert analyse_question("42", "fr").terms == ("42",)
