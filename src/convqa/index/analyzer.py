"""French analysis for the lexical index: the same pipeline for passages and questions.

elisions split (l', d', qu', jusqu'…) → case folded → French stop words dropped →
accents folded → Snowball French stemming. Accents are folded before stemming so that a
question typed without accents ("cybercriminalite") meets the accented article text on
the same stem; Snowball then works on unaccented French, consistently on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_FRENCH

# Words with an apostrophe: the elided article/pronoun is dropped, the rest is kept.
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’ʼ]", re.IGNORECASE)
_TOKEN = re.compile(r"\w+(?:['’ʼ]\w+)*", re.UNICODE)


def fold_accents(word: str) -> str:
    """'Équateur' → 'Equateur' (combining marks removed, ligatures kept as letters)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_STOP = (
    frozenset(STOPWORDS_FRENCH)
    | frozenset(fold_accents(w) for w in STOPWORDS_FRENCH)
    | {
        "a",
        "au",
        "aux",
        "est",
        "sont",
        "été",
        "cette",
        "ces",
        "cet",
        "qui",
        "que",
        "quoi",
        "dont",
        "où",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "y",
        "ne",
        "pas",
        "plus",
        "comme",
    }
)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def words(text: str) -> list[str]:
    """Lower-cased words with elisions removed, stop words kept."""
    out = []
    # NFKC first: compatibility forms (ligatures, mathematical letters, full-width) become
    # plain letters, which casefold() then lowers.
    for match in _TOKEN.finditer(unicodedata.normalize("NFKC", text).casefold()):
        token = _ELISION.sub("", match.group())
        # Remaining inner apostrophes ("aujourd'hui") join the parts.
        for part in re.split(r"['’ʼ_]", token):
            if part:
                out.append(part)
    return out


def analyze(text: str) -> list[str]:
    """Index terms of a text (see module docstring)."""
    kept = [fold_accents(w) for w in words(text) if w not in _STOP and not (len(w) == 1 and not w.isdigit())]
    return [stem for stem in _stemmer().stemWords(kept) if stem]
