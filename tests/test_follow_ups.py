"""Follow-ups on the seed article with the real model: a follow-up is first read as a
question of its own, and its citations hold only what supports its answer."""

from __future__ import annotations

import pytest

from convqa.assistant import Assistant
from convqa.conversation import Turn

#: A second article sharing the seed article's vocabulary (cybercriminalité, délégations,
#: Convention, Hanoï) on another subject.
DA_NANG_FORUM = """---
title: Da Nang accueille un forum de jeunes sur la cybersécurité
date: 2025-11-08
---
La ville de Da Nang a accueilli samedi un forum consacré à la sécurité en ligne des jeunes, deux semaines après la signature de la Convention de Hanoï contre la cybercriminalité.

Le forum a réuni 350 étudiants venus de douze universités du centre du pays. Des délégations d'entreprises du numérique ont présenté leurs outils de protection des données.

Les organisateurs ont annoncé un concours de programmation qui aura lieu en mars 2026 à l'université de Da Nang.
"""

FIRST = "Combien de pays étaient représentés à la cérémonie de signature ?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    from convqa.settings import Settings
    from paths import SEED_CORPUS

    corpus = tmp_path_factory.mktemp("corpus")
    for path in SEED_CORPUS.glob("*.md"):
        (corpus / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "da-nang-forum.md").write_text(DA_NANG_FORUM, encoding="utf-8")
    assistant = Assistant(Settings(corpus_dir=corpus, data_dir=tmp_path_factory.mktemp("data")), embedder=embedder)
    assistant.index()
    return assistant


def after(assistant, *questions: str):
    """The answer to the last question, asked after the others in one conversation."""
    history: list[Turn] = []
    for question in questions[:-1]:
        history.append(Turn(question, assistant.ask(question, history)))
    return assistant.ask(questions[-1], history), history


def test_a_whole_question_after_et_is_answered_as_if_asked_alone(assistant):
    answer, history = after(assistant, FIRST, "Et qui a parlé au nom des chefs de délégation ?")
    assert "Maria José Pinto Gonzalez Artigas" in answer.citations[0].quote
    earlier = history[0].answer.citations[0]
    # The previous answer's 110-countries sentence says nothing of who spoke: not cited.
    assert not any(c.doc_id == earlier.doc_id and c.quote_start == earlier.quote_start for c in answer.citations)
    alone = assistant.ask("Et qui a parlé au nom des chefs de délégation ?")
    assert answer.citations[0].quote_start == alone.citations[0].quote_start


def test_a_new_topic_cites_only_its_own_article(assistant):
    answer, history = after(assistant, FIRST, "Combien d'étudiants ont participé au forum de Da Nang ?")
    assert history[0].answer.citations[0].doc_id != "da-nang-forum"
    assert "350 étudiants" in answer.citations[0].quote
    assert {c.doc_id for c in answer.citations} == {"da-nang-forum"}


def test_an_unanswerable_question_after_another_abstains(assistant):
    answer, _ = after(assistant, FIRST, "Quel temps fera-t-il demain à Paris ?")
    assert answer.abstained and not answer.citations


def test_a_pronoun_follow_up_still_continues_the_conversation(assistant):
    answer, history = after(assistant, "Qui a parlé au nom des chefs de délégation ?", "Qui a-t-elle remercié ?")
    assert not answer.abstained
    assert answer.citations[0].doc_id == history[0].answer.citations[0].doc_id
