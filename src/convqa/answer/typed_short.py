"""The short answer by type: the one mention of the kind the question asks for.

The span model (``answer/learned.py``) predicts each candidate span's F1; on PIAF it is
confident for few questions, and rarely for « combien » ones (« 110 » of « 110 pays » got
0.21 against its threshold of 0.6). A question that names its answer type says more than
that: « Combien de pays… » asks for a number of countries, and a quoted sentence that holds
exactly one number counting countries has given it. The rule:

- the question expects a kind (``QuestionAnalysis.expects``) this rule trusts
  (``KINDS``: a number, a date, a person);
- the quoted sentence holds mentions of that kind (index-time spaCy NER and patterns) whose
  words are not all the question's own;
- for a number the question counts something (« combien de visiteurs »): only numbers
  counting that noun (``Mention.head_lemma``) are kept. An English question's noun
  ("how many countries") cannot meet a French lemma, so there every number the sentence
  holds must be that one fact; a French « combien » with no noun (« combien coûte… ») is
  left to the span model;
- those mentions overlap into exactly one group (one fact, perhaps written « 110 » and
  « 110 pays »). Two numbers of countries, or two persons, are left to the quote: a bold
  guess between two is a wrong fact half the time.

The longest mention of the group is the short answer. Which kinds are trusted was chosen on
the dev articles of PIAF ``tune`` (``scripts/measure_typed_short.py``): in the gold
sentence, the rule is right (F1 ≥ 0.5) for 0.93 of the dates it gives, 0.86 of the
persons and 0.79 of the numbers, but for 0.64 of the places and 0.57 of the organisations,
which stay out.

``TypedShortAnswer`` is the pipeline step (``Settings.short_answer = "typed"``): after the
abstention step, when the Reading answers, the rule reads the quoted sentence's stored
analysis. Its mention becomes the short answer only where the span model's best span in
that sentence (``Reading.best_span``) overlaps it, at a predicted F1 of at least
``AGREE_ABOVE``: far below the 0.6 the span model needs alone, since two readings agree.
Alone, on the sentence the pipeline quotes, the rule was right for 0.62 of its French dev
answers and 0.48 of its English ones: the quoted sentence is not always the one that answers, and a wrong sentence still
holds a date or a name (``scripts/measure_typed_short.py``). Otherwise the span
model's confident span stays; without a span model (``CONVQA_ABSTENTION=rules``) the rule
gives nothing. ``"model"`` keeps only the span model's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from convqa.analysis.question import singular
from convqa.analysis.types import Mention, QuestionAnalysis
from convqa.answer.features import question_analysis
from convqa.answer.reading import Reading, SpanCandidate
from convqa.answer.typed import new_to_question, sentence_mentions, stored_analyses
from convqa.index.analyzer import analyze
from convqa.index.view import IndexView
from convqa.retrieval.types import Passage, Query

#: Question kinds the rule answers (see the module docstring for how they were chosen).
KINDS = frozenset({"NUM", "DATE", "PER"})
#: The span model's predicted F1 of its best span in the quoted sentence over which the
#: typed mention it overlaps is given: the lowest of 0.1, 0.2, … whose precision on the dev
#: articles of PIAF ``tune`` reached 0.70 (French and English dev questions together).
AGREE_ABOVE = 0.2
#: Languages whose questions the rules of ``convqa.analysis.question`` read.
LANGUAGES = frozenset({"fr", "en"})


def _same_noun(lemma: str, focus: str) -> bool:
    """True when a number's counted noun is the question's focus (« pays », « visiteur »)."""
    return bool(lemma) and (lemma == focus or singular(lemma) == focus)


def typed_short(
    question: QuestionAnalysis,
    sentence: str,
    mentions: Sequence[Mention],
    question_terms: set[str],
    kinds: frozenset[str] = KINDS,
    language: str = "fr",
) -> Mention | None:
    """The mention of ``sentence`` (offsets relative to it) that answers ``question`` (in
    ``language``) by type, or None when the sentence holds none or more than one such fact."""
    kind = question.expects
    if kind not in kinds:
        return None
    found = [m for m in mentions if m.kind == kind and new_to_question(sentence[m.start : m.end], question_terms)]
    if kind == "NUM" and language == "fr":
        if not question.focus:  # « combien » alone (« combien coûte… »): a count of what?
            return None
        found = [m for m in found if _same_noun(m.head_lemma, question.focus)]
    if not found:
        return None
    found.sort(key=lambda m: (m.start, -m.end))
    group_end = found[0].end
    for m in found[1:]:
        if m.start >= group_end:  # a second, separate fact of the kind
            return None
        group_end = max(group_end, m.end)
    return max(found, key=lambda m: (m.end - m.start, -m.start))


def _agrees(best: SpanCandidate | None, doc_id: str, mention: tuple[int, int], above: float) -> bool:
    """True when the span model's best span overlaps the mention (article offsets: « 110 »
    agrees with « 110 pays ») at a predicted F1 of at least ``above``."""
    return (
        best is not None
        and best.score >= above
        and best.doc_id == doc_id
        and best.start < mention[1]
        and mention[0] < best.end
    )


class ShortAnswer(Protocol):
    """(Query, passages, Reading, view) → the Reading, with its short answer."""

    description: str

    def run(self, query: Query, passages: list[Passage], reading: Reading, index: IndexView) -> Reading: ...


class ModelShortAnswer:
    """The answer step's own short answer (the span model's, when confident), unchanged."""

    description = "model (the span model's confident span)"

    def run(self, query: Query, passages: list[Passage], reading: Reading, index: IndexView) -> Reading:
        """The Reading as it is."""
        return reading


class TypedShortAnswer:
    """The quoted sentence's one mention of the asked kind, else the span model's span."""

    description = "typed (the one mention of the asked kind; else the span model's)"

    def __init__(self, agree_above: float = AGREE_ABOVE) -> None:
        self.agree_above = agree_above

    def run(self, query: Query, passages: list[Passage], reading: Reading, index: IndexView) -> Reading:
        """The Reading with the typed span first, marked short, when the rule finds one."""
        if reading.abstain or not reading.sentences or reading.best_span is None or query.language not in LANGUAGES:
            return reading
        head = reading.best_sentence
        passage = passages[head.passage]
        analysis = stored_analyses(index, [passage]).get(passage.chunk_id)
        if analysis is None:
            return reading
        found = typed_short(
            question_analysis(query.text, query.language),
            head.text,
            sentence_mentions(analysis, passage.start, head.start, head.end),
            set(analyze(query.text)),
            language=query.language,
        )
        if found is None or not _agrees(
            reading.best_span, head.doc_id, (head.start + found.start, head.start + found.end), self.agree_above
        ):
            return reading
        span = SpanCandidate(
            head.doc_id, head.start + found.start, head.start + found.end, head.text[found.start : found.end], 1.0, True
        )
        return replace(reading, spans=(span, *reading.spans))


def load_short_answer(setting: str) -> ShortAnswer:
    """The short-answer step ``Settings.short_answer`` names ("typed" or "model")."""
    return TypedShortAnswer() if setting == "typed" else ModelShortAnswer()
