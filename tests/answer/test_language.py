"""Question language and follow-up detection (pure functions)."""

from __future__ import annotations

import pytest

from convqa.corpus.language import detect_language
from convqa.question import is_follow_up

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


@pytest.mark.parametrize(
    "text, language",
    [
        ("Quel organisme dirige Ghada Waly ?", "fr"),
        ("Combien de pays ont signé la Convention ?", "fr"),
        ("Which country's vice-president spoke for the heads of delegation?", "en"),
        ("What did the UNODC chief promise Vietnam?", "en"),
        ("Hanoï", "fr"),  # unsure: the corpus is French
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text, follows",
    [
        ("Qu'a-t-elle promis au Vietnam ?", True),
        ("Et le Vietnam ?", True),
        ("And what did she promise?", True),
        ("Pourquoi ?", True),
        ("Quel organisme dirige Ghada Waly ?", False),
        ("Combien de pays étaient représentés à la cérémonie de signature ?", False),
    ],
)
def test_is_follow_up(text, follows):
    assert is_follow_up(text) is follows
