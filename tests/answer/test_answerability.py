"""The abstention step (convqa.answer.answerability): the hand-tuned step's sentences, the
learned answerability's verdict. Real model, real index, the seed article."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace

import pytest

from convqa.answer.answerability import LearnedAnswerability, RuleAbstention
from convqa.answer.blended import BlendedStep
from convqa.answer.learned import LearnedStep, models_dir
from convqa.answer.thresholds import ABSTENTION_FILE, fitted_thresholds
from convqa.pipeline import ANSWER_STEPS, Pipeline
from convqa.settings import BUNDLED_MODEL
from paths import ROOT, SEED_CORPUS

PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"


def test_the_default_abstains_by_the_shipped_classifier_at_its_fitted_thresholds(seed_assistant):
    step = seed_assistant.pipeline.abstention
    assert isinstance(step, LearnedAnswerability)
    assert seed_assistant.status()["abstention"].startswith("learned (sha256 ")
    shipped = json.loads((models_dir(BUNDLED_MODEL) / ABSTENTION_FILE).read_text(encoding="utf-8"))
    assert step.abstain_below == shipped["abstain_below"]
    assert 0 < step.abstain_below["fr"] < 0.5
    # The learned and blended answer steps judge themselves, at the same thresholds
    # (answer/thresholds.py), and are not judged twice.
    resources = seed_assistant.pipeline.resources
    for name, kind in (("learned", LearnedStep), ("blended", BlendedStep)):
        answerer = ANSWER_STEPS[name](resources)
        assert type(answerer) is kind and answerer.abstain_below == shipped["abstain_below"]
        own = Pipeline(replace(resources, settings=resources.settings.model_copy(update={"answerer": name})))
        assert isinstance(own.abstention, RuleAbstention)


def test_questions_whose_article_is_not_indexed_abstain_far_more_often(make_settings, embedder, tmp_path):
    """The 24 dev articles of PIAF tune indexed, each question asked with its own article left
    out (as if it were not indexed) and as it is: the rules answer most held-out questions
    from a wrong article; the classifier abstains on most, and on few ordinary ones."""
    from convqa.assistant import Assistant
    from convqa.evaluation.dataset import load_squad, write_corpus
    from convqa.training.examples import dev_article

    full = load_squad(PIAF)
    articles = [a for a in full.articles if a.split == "tune" and dev_article(a.title)]
    ids = {a.doc_id for a in articles}
    questions = [q for q in full.questions if q.doc_id in ids][::8]
    write_corpus(replace(full, articles=articles, questions=questions), tmp_path / "corpus")
    learned = Assistant(make_settings(tmp_path / "corpus"), embedder=embedder)
    learned.index()
    rules = Assistant(make_settings(tmp_path / "corpus", abstention="rules"), embedder=embedder)
    rules.index()

    def verdicts(pipeline, exclude: bool) -> list[bool]:
        left_out = [frozenset({q.doc_id}) if exclude else frozenset() for q in questions]
        return [pipeline.run(q.question, exclude=out).abstained for q, out in zip(questions, left_out)]

    def rate(found: list[bool]) -> float:
        return sum(found) / len(found)

    held, ordinary = verdicts(learned.pipeline, True), verdicts(learned.pipeline, False)
    held_learned, held_rules = rate(held), rate(verdicts(rules.pipeline, True))
    assert len(questions) >= 40
    assert held_learned >= 0.5 and held_learned >= held_rules + 0.25, (held_learned, held_rules)
    assert rate(ordinary) <= 0.1
    # The learned and blended steps, on the same index, abstain on exactly the same questions
    # as the default (the rules, and the probability under the same fitted threshold): only
    # the sentence quoted differs.
    for answerer in ("learned", "blended"):
        settings = learned.settings.model_copy(update={"answerer": answerer})
        other = Pipeline(replace(learned.pipeline.resources, settings=settings))
        assert verdicts(other, True) == held and verdicts(other, False) == ordinary, answerer


def test_answerable_questions_are_still_answered_with_their_sentence(seed_assistant):
    first = seed_assistant.ask("Combien de pays étaient représentés à la cérémonie de signature ?")
    assert not first.abstained and "110 pays" in first.citations[0].quote, first.answer
    follow = seed_assistant.ask("Et qui a parlé au nom des chefs de délégation ?", history=[first])
    assert not follow.abstained and "Maria José Pinto Gonzalez Artigas" in follow.citations[0].quote
    english = seed_assistant.ask("What did the UNODC chief promise Vietnam?")
    assert not english.abstained and "assistance technique" in english.citations[0].quote


def test_the_rules_still_abstain_where_the_classifier_would_answer(seed_assistant):
    # The names check: no article mentions Australia; the classifier cannot overrule it.
    assert seed_assistant.ask("Quelle est la capitale de l'Australie ?").abstained
    first = seed_assistant.ask("Quel organisme dirige Ghada Waly ?")
    assert seed_assistant.ask("Quel temps fera-t-il demain à Paris ?", history=[first]).abstained


@pytest.mark.parametrize("answerer", ["blended", "sentences"])
def test_missing_models_abstain_by_the_rules_with_one_warning(make_settings, embedder, tmp_path, caplog, answerer):
    from convqa.answer.sentences import SentenceScorer
    from convqa.assistant import Assistant

    settings = make_settings(SEED_CORPUS, answerer=answerer, answerer_dir=tmp_path / "nowhere")
    with caplog.at_level(logging.WARNING):
        assistant = Assistant(settings, embedder=embedder)
    assert isinstance(assistant.pipeline.abstention, RuleAbstention)
    assert isinstance(assistant.pipeline.answerer, SentenceScorer)
    warned = [r.getMessage() for r in caplog.records if "instead. Fix:" in r.getMessage()]
    assert len(warned) == 1, warned
    if answerer == "blended":  # the hand-tuned step answers instead, by its own rules
        assert "answering with the hand-tuned scorer" in warned[0] and "CONVQA_ANSWERER_DIR" in warned[0]
        assert assistant.status()["answerer"].startswith("sentences (learned step unavailable")
    else:
        assert "abstaining by the answer step's own rules" in warned[0] and "CONVQA_ABSTENTION=rules" in warned[0]
        assert assistant.status()["abstention"].startswith("rules (learned answerability unavailable")
    assistant.index()  # and the hand-tuned step answers by its own rules
    answer = assistant.ask("Combien de pays étaient représentés à la cérémonie de signature ?")
    assert not answer.abstained and "110 pays" in answer.citations[0].quote, answer.answer


@pytest.mark.fast
def test_unreadable_thresholds_fall_back_to_the_learned_steps_own(tmp_path, caplog):
    folder = tmp_path / "models"
    shutil.copytree(models_dir(BUNDLED_MODEL), folder)
    assert fitted_thresholds(folder) is not None
    (folder / ABSTENTION_FILE).write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert fitted_thresholds(folder) is None
    assert any("cannot be read" in r.getMessage() for r in caplog.records)
    (folder / ABSTENTION_FILE).unlink()
    assert fitted_thresholds(folder) is None  # never fitted: no warning needed


@pytest.mark.fast
def test_the_learned_answer_step_is_not_judged_twice():
    from convqa.answer.answerability import load_abstention
    from convqa.settings import Settings

    class Resources:
        settings = Settings(answerer="learned")

    assert isinstance(load_abstention(Resources()), RuleAbstention)


@pytest.mark.fast
def test_thresholds_are_per_language_with_one_default_for_both():
    from convqa.answer.thresholds import per_language

    assert per_language({"fr": 0.2, "other": 0.1}, 0.5) == {"fr": 0.2, "other": 0.1}
    assert per_language(None, 0.07) == {"fr": 0.07, "other": 0.07}


def test_the_rules_setting_leaves_the_learned_steps_to_the_rules(seed_assistant):
    resources = seed_assistant.pipeline.resources
    rules = resources.settings.model_copy(update={"abstention": "rules"})
    for name in ("learned", "blended"):
        step = ANSWER_STEPS[name](replace(resources, settings=rules))
        assert step.abstain_below == {"fr": 0.0, "other": 0.0}  # no probability is under 0
    # The names check is a rule: it still abstains.
    pipeline = Pipeline(replace(resources, settings=rules.model_copy(update={"answerer": "blended"})))
    assert pipeline.run("Quelle est la capitale de l'Australie ?").abstained
    assert not pipeline.run("Combien de pays étaient représentés à la cérémonie de signature ?").abstained
