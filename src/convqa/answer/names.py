"""Questions about something the articles never name: « Quelle est la capitale de
l'Australie ? » against an archive where "Australie" appears nowhere.

Retrieval always returns its nearest passages, and short questions sit close to
everything in e5's space, so the hand-tuned step's vector and word signals alone let such
questions through. The names a French question capitalises are a cheap, exact test: when
it names at least one thing and the corpus mentions none of them, the articles cannot
answer it. Measured on PIAF's tune split (questions asked without their own article
among the 190 others): 20% of such questions are caught, against 0.7% of ordinary ones.
English questions are left out: their names are often spelt otherwise in French
("Ecuador", « Équateur »).
"""

from __future__ import annotations

import re

from convqa.index.analyzer import analyze

# Letters first: apostrophes split words, so « l'Australie » gives "l" and "Australie".
_WORD = re.compile(r"[^\W\d_][\w\-]*")


# Centuries and ordinals in Roman numerals (XXe, XVIIIème) are capitalised but name nothing.
_ROMAN = re.compile(r"^[IVXLCDM]+(?:e|er|re|ème|eme|ième|ieme)?$")


def question_names(question: str) -> list[str]:
    """The capitalised words of a question, its first word aside (capitalised anyway),
    single letters and Roman numerals aside."""
    words = [m.group() for m in _WORD.finditer(question)]
    return [w for w in words[1:] if w[0].isupper() and len(w) > 1 and not _ROMAN.match(w)]


def names_nothing_known(question: str, language: str, mentions) -> bool:
    """True when a French ``question`` names something and ``mentions`` (the lexical
    index's test of a name's analysed terms) knows none of its names."""
    if language != "fr":
        return False
    # A capitalised stop word (« Au Strutthof ») has no analysed term: it names nothing.
    names = [terms for terms in map(analyze, question_names(question)) if terms]
    return bool(names) and not any(mentions(terms) for terms in names)
