"""Sources are the passages that support the answer, not a quota of top_k passages."""

from __future__ import annotations

import pytest

from paths import SEED_ID

CABLE_CAR = """---
id: telepherique-saint-aubin
title: "Le téléphérique de Saint-Aubin-des-Lacs est inauguré"
source: https://example.org/telepherique
date: 2026-03-14
lang: fr
---
Le téléphérique de Saint-Aubin-des-Lacs a été inauguré samedi par la présidente de la région, devant plusieurs centaines d'habitants venus assister au premier trajet.

Le chantier a coûté 4,7 millions d'euros, financés pour moitié par la commune et pour moitié par le département.

Les cabines relient la gare au sommet du mont Aubin en six minutes, et peuvent transporter huit cents passagers par heure.

Le maire espère attirer des randonneurs toute l'année, et pas seulement pendant la saison de ski.
"""

QUESTIONS = [
    ("Combien a coûté le téléphérique de Saint-Aubin-des-Lacs ?", "4,7 millions d'euros"),
    ("Combien de passagers les cabines du téléphérique transportent-elles par heure ?", "huit cents passagers"),
    ("Qui a inauguré le téléphérique ?", "présidente de la région"),
]


@pytest.fixture
def two_articles(corpus_copy, make_settings, embedder):
    """An assistant over the seed article and a second, unrelated one."""
    from convqa.assistant import Assistant

    (corpus_copy / "telepherique-saint-aubin.md").write_text(CABLE_CAR, encoding="utf-8")

    def make(**overrides):
        assistant = Assistant(make_settings(corpus_copy, **overrides), embedder=embedder)
        assistant.index()
        return assistant

    return make


@pytest.mark.parametrize(("question", "fact"), QUESTIONS)
def test_a_question_on_the_second_article_cites_only_it(two_articles, question, fact):
    answer = two_articles().ask(question, top_k=5)
    assert not answer.abstained
    # The passage that holds the fact is among the sources (which sentence the answer
    # quotes is the answer step's business, tested elsewhere).
    assert any(fact in c.text for c in answer.citations)
    assert [c.doc_id for c in answer.citations] == ["telepherique-saint-aubin"] * len(answer.citations)


def test_without_the_bar_the_first_article_pads_the_sources(two_articles):
    """The control: with top_k as a quota, the seed article's passages fill the list, so
    the test above fails if the bar stops working."""
    answer = two_articles(cite_min_relevance=0.0).ask(QUESTIONS[0][0], top_k=5)
    assert SEED_ID in {c.doc_id for c in answer.citations}


def test_a_broad_question_still_cites_several_supporting_passages(two_articles):
    answer = two_articles().ask(
        "Qu'a déclaré le ministre de la Sécurité publique sur la cérémonie de signature de la Convention de Hanoï ?",
        top_k=5,
    )
    assert not answer.abstained
    assert len(answer.citations) >= 2
    assert {c.doc_id for c in answer.citations} == {SEED_ID}
