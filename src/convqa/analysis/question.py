"""What a question asks for, by rules over its words: no model load at question time.

The type comes from the earliest question word (« combien », « en quelle année »,
"how many", « quel » + its noun…), the expected answer kind from the type or from the
focus noun (« quel club » → ORG), the content terms from the lexical analyser (the stems
the index holds), and ``needs_context`` from an ellipsis (« Et en 2024 ? »), a pronoun or
possessive with no antecedent in the question (« Où est-il né ? », « Quel est son âge ? »),
or no content word at all. A few regular expressions and a stemmer: well under a
millisecond a question, nothing to load.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from convqa.analysis.question_words import (
    ELLIPSIS,
    FOCUS_KINDS,
    IMPERSONAL,
    NOT_CONTENT,
    OBJECT_CLITIC,
    PRONOUN,
    SKIP_AFTER_QUEL,
    WH_PATTERNS,
)
from convqa.analysis.types import QuestionAnalysis
from convqa.index.analyzer import analyze

_WORD = re.compile(r"[\w][\w-]*'?|'")
_SUBJECT = frozenset({"il", "elle", "ils", "elles"})
#: French plurals whose singular ends in s or x as well.
_INVARIABLE = frozenset("pays mois fois temps corps cas bras repas prix choix voix poids taux avis".split())


@lru_cache(maxsize=1)
def _not_content_stems() -> frozenset[str]:
    return frozenset(stem for word in NOT_CONTENT for stem in analyze(word))


@lru_cache(maxsize=1)
def _english() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _fold(text: str) -> str:
    """Case-folded NFC text with straight apostrophes (same length as the NFC text)."""
    text = unicodedata.normalize("NFC", text)
    return text.casefold().replace("’", "'").replace("ʼ", "'")


def singular(word: str) -> str:
    """A French noun's singular by its ending (« visiteurs » → visiteur, « chevaux »
    → cheval), for a focus noun to meet a passage lemma."""
    if word in _INVARIABLE or len(word) <= 3:
        return word
    if word.endswith("eaux") or word.endswith("eux"):
        return word[:-1]
    if word.endswith("aux"):
        return word[:-3] + "al"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_terms(text: str) -> tuple[str, ...]:
    """The question's own content stems: the lexical analyser's, without question words."""
    drop = _not_content_stems()
    return tuple(term for term in analyze(text) if term not in drop)


def _question_word(folded: str) -> tuple[re.Match[str] | None, str, str, str]:
    """The earliest question-word match and its (wh, expects, implied focus)."""
    best = None
    for order, (pattern, wh, kind, focus) in enumerate(WH_PATTERNS):
        match = pattern.search(folded)
        if match and (best is None or (match.start(), order) < (best[0].start(), best[1])):
            best = (match, order, wh, kind, match.group(1) if pattern.groups else focus)
    if best is None:
        return None, "autre", "", ""
    return best[0], best[2], best[3], best[4]


def _focus_after(folded: str, at: int, wh: str, english: bool) -> str:
    """The noun after the question word: « combien de visiteurs », « quel club »,
    "how many countries", « quelle est la forme »."""
    words = [w.strip("'") for w in _WORD.findall(folded[at:])]
    words = [w for w in words if w]
    if wh == "combien":
        if words[:1] in (["de"], ["d"], ["of"]):
            words = words[1:]
        elif folded[:at].endswith(("many", "much")) or re.search(r"how (?:many|much)\s*$", folded[:at]):
            pass
        else:
            return ""
    elif not english:  # « quel est le prix », but "what did the summit…" has no focus
        while words and words[0] in SKIP_AFTER_QUEL:
            words = words[1:]
    if not words or words[0] in NOT_CONTENT or words[0].isdigit():
        return ""
    return words[0]


def _kind_of(focus: str, english: bool) -> tuple[str, str]:
    """(stored focus, kind it asks for): a French singular, or an English stem."""
    if english:
        base = re.sub(r"ies$", "y", focus) if focus.endswith("ies") else focus.removesuffix("s")
        return _english().stemWord(focus), FOCUS_KINDS.get(base, FOCUS_KINDS.get(focus, ""))
    lemma = singular(focus)
    return lemma, FOCUS_KINDS.get(lemma, "")


def needs_context(text: str, folded: str, terms: tuple[str, ...]) -> bool:
    """True when the question cannot be read alone (see the module docstring)."""
    if not terms:
        return True
    ellipsis = ELLIPSIS.match(folded)
    if ellipsis:
        # « Et en 2024 ? » leans on the last turn; « Et qui a parlé au nom des chefs de
        # délégation ? » is a whole question of its own after its « et ».
        rest = folded[ellipsis.end() :]
        if _question_word(rest)[0] is None or len(content_terms(rest)) < 3:
            return True
    # Impersonal « il » (« fera-t-il », « y a-t-il ») refers to nothing: blank it out.
    cleared = IMPERSONAL.sub(lambda m: " " * len(m.group()), folded)
    spots = [(m.start(), m.group(1)) for m in PRONOUN.finditer(cleared)]
    spots += [(m.start(), "l'") for m in OBJECT_CLITIC.finditer(cleared)]
    for at, pronoun in spots:
        before = content_terms(folded[:at])
        # A name before it is an antecedent (« Pourquoi Nawaz Sharif a-t-il… »).
        named = any(w[:1].isupper() for w in text[:at].split()[1:])
        if pronoun in _SUBJECT and (before or named):
            continue  # complex inversion: « Le frère de Napoléon parvint-il… »
        if named or len(before) >= 2:
            continue
        return True
    return False


def analyse_question(text: str, language: str = "fr") -> QuestionAnalysis:
    """The type, expected answer kind, focus noun, content terms and whether the question
    needs the conversation, from rules over ``text`` (``language``: "fr" or "en")."""
    text = unicodedata.normalize("NFC", text)
    folded = _fold(text)
    match, wh, expects, focus = _question_word(folded)
    english = language == "en"
    # A French « que » is followed by its verb, an English "what" by its noun.
    if match is not None and not focus and (wh in ("combien", "quel") or (wh == "quoi" and english)):
        focus = _focus_after(folded, match.end(), wh, english)
    stored = ""
    if focus:
        stored, kind = _kind_of(focus, english)
        if wh in ("quel", "quoi") and kind:
            expects = kind
            wh = "quel"  # "what country" reads as « quel pays »
    terms = content_terms(text)
    return QuestionAnalysis(
        wh=wh, expects=expects, focus=stored, terms=terms, needs_context=needs_context(text, folded, terms)
    )
