"""The abstention, in the question's language (``convqa.corpus.language`` tells which)."""

from __future__ import annotations

ABSTAIN = {
    "fr": "Je ne trouve pas de réponse à cette question dans les articles indexés.",
    "en": "I could not find an answer to this question in the indexed articles.",
}
