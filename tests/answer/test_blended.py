"""The blended answer step: its arithmetic on hand-built scores, and its answers on the seed
article with the real e5 and its shipped models."""

from __future__ import annotations

import numpy as np
import pytest

from convqa.answer.blended import blend, standardised


@pytest.mark.fast
def test_scores_are_standardised_over_the_question_s_sentences():
    z = standardised(np.array([3.0, 1.0, 2.0]))
    assert np.allclose(z.mean(), 0.0) and np.allclose(z.std(), 1.0)
    assert list(np.argsort(-z)) == [0, 2, 1]  # the order is kept
    assert standardised(np.array([0.4, 0.4])).tolist() == [0.0, 0.0]  # all equal: no say


@pytest.mark.fast
def test_the_blend_lets_a_clear_hand_tuned_lead_overrule_a_narrow_model_one():
    # The model barely prefers sentence 0; the hand-tuned step clearly prefers sentence 1.
    model, hand = np.array([1.02, 1.0, -2.0, -2.1]), np.array([0.50, 0.80, 0.30, 0.31])
    assert int(np.argmax(blend(model, hand))) == 1
    assert int(np.argmax(blend(model, hand, weight=1.0))) == 0  # the model alone
    # A clear model lead stays.
    model = np.array([3.0, 1.0, -2.0, -2.1])
    assert int(np.argmax(blend(model, hand))) == 0


@pytest.fixture(scope="module")
def blended(seed_assistant):
    """The blended step over the seed index (the real e5 and its shipped models)."""
    from dataclasses import replace

    from convqa.pipeline import Pipeline

    resources = seed_assistant.pipeline.resources
    return Pipeline(replace(resources, settings=resources.settings.model_copy(update={"answerer": "blended"})))


@pytest.mark.slow
def test_the_blended_step_quotes_the_answering_sentence_on_the_seed_article(blended):
    answer = blended.run("Combien de pays étaient représentés à la cérémonie de signature ?")
    assert "110 pays" in answer.citations[0].quote and answer.short is not None and "110" in answer.short.text
    assert blended.run("Quelle est la capitale de l'Australie ?").abstained


@pytest.mark.slow
def test_a_follow_up_after_an_excerpted_answer_gives_the_next_fact(blended):
    from convqa.conversation import as_turn

    first = blended.run("Quel organisme dirige Ghada Waly ?")
    assert "Ghada Waly" in first.answer
    # Known by its text only, as an older client sends history: the excerpt is found again.
    follow = blended.run("Qu'a-t-elle promis au Vietnam ?", [as_turn((first.question, first.answer))])
    assert "assistance technique" in follow.citations[0].quote, follow.answer
