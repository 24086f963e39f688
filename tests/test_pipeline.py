"""The pipeline's seams: steps chosen from settings, structured history, calibration."""

from __future__ import annotations

import logging
import shutil

from convqa.answer.types import Answer
from paths import SEED_CORPUS


def test_a_toy_answer_step_is_used_through_settings_alone(make_settings, embedder, seed_text):
    from convqa.assistant import Assistant

    assistant = Assistant(make_settings(SEED_CORPUS, answerer="toy_steps:FirstSentence"), embedder=embedder)
    assistant.index()
    answer = assistant.ask("Quel organisme dirige Ghada Waly ?")
    first = answer.citations[0]
    # The toy quotes the first sentence of the passage it was given, exactly.
    assert first.quote_start == first.start
    assert seed_text[first.quote_start : first.quote_end] == first.quote
    assert answer.answer == f"{first.quote} [1]"
    assert type(assistant.pipeline.answerer).__name__ == "FirstSentence"


def test_follow_up_with_a_paraphrased_previous_answer(seed_assistant):
    first = seed_assistant.ask("Qui dirige l'ONUDC ?")
    assert not first.abstained
    paraphrased = Answer.from_dict(
        first.to_dict() | {"answer": "C'est Mme Ghada Waly qui est à la tête de l'ONUDC [1]."}
    )
    follow = seed_assistant.ask(
        "Qu'a-t-elle promis au Vietnam ?", history=[{"question": first.question, "answer": paraphrased.to_dict()}]
    )
    assert "assistance technique" in follow.answer
    assert follow.citations[0].quote_start != first.citations[0].quote_start


def test_another_embedding_model_is_reported_uncalibrated(make_settings, embedder, tmp_path, caplog):
    from convqa.assistant import Assistant
    from convqa.model.embedder import Embedder
    from convqa.model.spec import spec_for

    other = tmp_path / "another-model"
    shutil.copytree(embedder.path, other)
    settings = make_settings(SEED_CORPUS, model=str(other))
    with caplog.at_level(logging.WARNING):
        assistant = Assistant(settings, embedder=Embedder(spec_for(str(other)), settings.data_dir))
    assert any("not calibrated" in r.getMessage() for r in caplog.records)
    assistant.index()
    status = assistant.status()
    assert status["calibrated"] is False and status["model"] == str(other)
    # Known model: calibrated.
    known = Assistant(make_settings(SEED_CORPUS), embedder=embedder)
    known.index()
    assert known.status()["calibrated"] is True
