"""Tell French texts from English ones: articles get their language when saved, and questions
are answered (or abstained on) in the user's language.

Two languages, short texts: counting each language's function words is more reliable
here than a general language identifier, which is unsure on ten-word questions.
"""

from __future__ import annotations

import re

_FR = {
    "le", "la", "les", "de", "des", "du", "un", "une", "et", "est", "qui", "que", "quoi",
    "quel", "quelle", "quels", "quelles", "où", "quand", "comment", "pourquoi", "combien",
    "dans", "pour", "par", "sur", "avec", "au", "aux", "il", "elle", "ils", "elles", "a",
    "ont", "sont", "ce", "cette", "ces", "son", "sa", "ses", "leur", "lequel", "laquelle",
    "qu", "l", "d", "c", "s", "n", "pas", "ne", "été", "était", "y",
}
_EN = {
    "the", "of", "and", "is", "are", "was", "were", "who", "what", "which", "when", "where",
    "why", "how", "many", "much", "did", "does", "do", "in", "for", "by", "on", "with", "to",
    "it", "he", "she", "they", "his", "her", "their", "its", "has", "have", "had", "this",
    "that", "these", "those", "an", "a", "whose", "from", "at", "be", "been", "country",
}
_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ]+", re.IGNORECASE)


def detect_language(text: str) -> str:
    """'fr' or 'en' (French when unsure: the corpus is French)."""
    words = [w.lower() for w in _WORD.findall(text)]
    fr = sum(w in _FR for w in words) + 2 * bool(re.search(r"[àâçéèêëîïôùûœ]", text, re.IGNORECASE))
    en = sum(w in _EN for w in words)
    return "en" if en > fr else "fr"

