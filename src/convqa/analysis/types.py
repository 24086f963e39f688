"""What French analysis says about a passage and a question: plain frozen data.

A passage is parsed once, at index time (spaCy's French pipeline), and its analysis is kept
beside it; a question is analysed at question time by cheap rules only. Offsets are
relative to the passage's own text (``passage.text[start:end]``): the chunk's text never
changes under its id, so neither does its analysis. Add ``passage.start`` for article
offsets.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Mention kinds. PER, LOC, ORG, MISC come from spaCy's NER; NUM and DATE from patterns
#: (the French pipelines have no number or date label); CHUNK is a noun chunk; SUBTREE a
#: dependency subtree that is none of these (a candidate span of « quel… » answers).
MENTION_KINDS = ("PER", "LOC", "ORG", "MISC", "NUM", "DATE", "CHUNK", "SUBTREE")


@dataclass(frozen=True)
class Token:
    """One token of the passage."""

    start: int
    end: int
    lemma: str  # lower-cased lemma
    pos: str  # universal POS tag (NOUN, PROPN, VERB, NUM, …)
    dep: str  # dependency relation to its head
    head: int  # index of its head token in the passage's token list (itself at the root)


@dataclass(frozen=True)
class Mention:
    """A typed span of the passage: a candidate short answer."""

    start: int
    end: int
    kind: str  # one of MENTION_KINDS
    #: For NUM, the lemma of the noun it counts (« 110 pays » → "pays"); for CHUNK and
    #: SUBTREE, the lemma of the span's head; "" otherwise.
    head_lemma: str = ""
    #: Dependency relation of the span's head token (nsubj, obj, obl, nmod, …).
    dep: str = ""


@dataclass(frozen=True)
class PassageAnalysis:
    """The analysis of one chunk's text."""

    tokens: tuple[Token, ...] = ()
    mentions: tuple[Mention, ...] = ()
    #: (start, end) of spaCy's sentences, for reference; the answer steps keep the
    #: project's own sentence spans (``Passage.sentence_spans``) and place tokens and
    #: mentions in them by offsets.
    sentences: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks for, from rules over its words (no model load)."""

    #: qui, quoi, quand, ou, combien, pourquoi, comment, quel, autre (English questions map
    #: to the same: who → qui, how many → combien, which → quel, …).
    wh: str = "autre"
    #: The mention kind the answer is expected to be (PER, LOC, ORG, NUM, DATE, …) or "".
    expects: str = ""
    #: The noun the question asks about (« quel club » → "club", « combien de visiteurs »
    #: → "visiteur"), lower-cased lemma or stem; "" when none.
    focus: str = ""
    #: The question's content terms (the lexical analyser's stems).
    terms: tuple[str, ...] = ()
    #: True when it cannot be read alone: a pronoun without antecedent, an ellipsis
    #: (« Et en 2024 ? »), or no content word of its own.
    needs_context: bool = False
