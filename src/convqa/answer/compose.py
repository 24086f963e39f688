"""The last step: an Answer with numbered citations, from the passages and a Reading.

Citation [1] is the passage of the best candidate; the others follow by their best
candidate. The answer text is the short answer (when the step found one) followed by the
quoted sentence and its [1], or an abstention in the question's language. A span belongs
to the sentence whose article and offsets contain it: the composer matches the step's
candidates by offsets, never by which object holds which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from convqa.answer.language import ABSTAIN
from convqa.answer.reading import Reading, SentenceCandidate
from convqa.answer.types import Answer, Citation, ShortAnswer
from convqa.retrieval.types import Passage, Query

#: A quoted sentence shorter than this rarely answers alone: the next one is quoted too.
SHORT_SENTENCE_WORDS = 12
#: Longest answer text, in words (the short answer and the quoted words around it).
MAX_ANSWER_WORDS = 40


def excerpt(sentence: str, start: int, end: int, words: int) -> str:
    """At most ``words`` words of the sentence around ``sentence[start:end]``, cut at word
    boundaries and marked with … where cut (the words shown are the article's own)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", sentence)]
    if len(spans) <= words:
        return sentence
    first = next((i for i, (_, e) in enumerate(spans) if e > start), 0)
    last = max(first, next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] < end), first))
    # Centre the window on the focus, then slide it back inside the sentence.
    lo = max(0, min(first - (words - (last - first + 1)) // 2, len(spans) - words))
    hi = min(len(spans), lo + words)
    text = sentence[spans[lo][0] : spans[hi - 1][1]]
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(spans) else "")


class Composer:
    """Turns a Reading into the Answer a user reads.

    ``min_relevance``: passages the answer step judged below it are not cited (the first
    always is); ``top_k`` stays a maximum, and an answer may cite a single source.
    """

    def __init__(self, min_relevance: float = 0.0) -> None:
        self.min_relevance = min_relevance

    def run(self, query: Query, passages: list[Passage], reading: Reading, limit: int) -> Answer:
        """The Answer (timings are added by the pipeline)."""
        if reading.abstain or not reading.sentences:
            return Answer(
                question=query.text,
                answer=ABSTAIN.get(query.language, ABSTAIN["fr"]),
                abstained=True,
                language=query.language,
            )
        best_of: dict[int, SentenceCandidate] = {}
        for c in reading.sentences:
            best_of.setdefault(c.passage, c)
        # A question read alone after others starts a topic of its own: the articles the
        # conversation quoted before are cited only if this answer is drawn from them.
        earlier = frozenset() if query.context else frozenset(doc for doc, _, _ in query.said)
        order = self.cited(best_of, reading.relevance, limit, earlier)
        head = best_of[order[0]]
        inside = [s for s in reading.spans if head.holds(s)]
        short = next((s for s in inside if s.short), None)
        quote_end = head.end
        if len(head.text.split()) < SHORT_SENTENCE_WORDS and short is None:
            following = [e for s, e in passages[order[0]].sentence_spans() if passages[order[0]].start + s >= head.end]
            if following:
                quote_end = passages[order[0]].start + following[0]
        citations = [
            self._citation(n, passages[i], best_of[i], quote_end if n == 1 else None) for n, i in enumerate(order, 1)
        ]
        first = citations[0]
        if short is not None:
            budget = MAX_ANSWER_WORDS - len(short.text.split()) - 3  # the dash and the quotation marks
            quoted = excerpt(first.quote, short.start - first.quote_start, short.end - first.quote_start, budget)
            text = f"{short.text} — « {quoted} » [1]" if query.language == "fr" else f"{short.text} — “{quoted}” [1]"
        elif inside:
            focus = inside[0]
            text = f"{excerpt(first.quote, focus.start - first.quote_start, focus.end - first.quote_start, MAX_ANSWER_WORDS)} [1]"
        else:  # no span to centre on (the hand-tuned step): the whole sentence, as quoted
            text = f"{first.quote} [1]"
        return Answer(
            question=query.text,
            answer=text,
            abstained=False,
            citations=citations,
            language=query.language,
            short=ShortAnswer(short.text, short.doc_id, short.start, short.end, n=1) if short else None,
        )

    def cited(
        self,
        best_of: dict[int, SentenceCandidate],
        relevance: Mapping[int, float] | None,
        limit: int,
        earlier: frozenset[str] = frozenset(),
    ) -> list[int]:
        """Passage indexes to cite, in order: by their best candidate's score, those the step
        judged below ``min_relevance``, quoted by an earlier answer, or from an ``earlier``
        article other than the first citation's left out (the first always stays), at most
        ``limit``."""
        order = sorted(best_of, key=lambda i: best_of[i].score, reverse=True)
        # A sentence an earlier answer quoted supports that answer, not this one (unless it
        # is this answer's own quote).
        order = order[:1] + [i for i in order[1:] if not best_of[i].features.get("given")]
        if order and earlier:
            first = best_of[order[0]].doc_id
            order = order[:1] + [i for i in order[1:] if best_of[i].doc_id == first or best_of[i].doc_id not in earlier]
        if relevance is not None and self.min_relevance > 0:
            order = order[:1] + [i for i in order[1:] if relevance.get(i, 0.0) >= self.min_relevance]
        return order[:limit]

    @staticmethod
    def _citation(n: int, p: Passage, c: SentenceCandidate, quote_end: int | None = None) -> Citation:
        """Citation ``n``: passage ``p`` quoting candidate ``c`` (to ``quote_end`` when extended)."""
        q_start, q_end = c.start, c.end if quote_end is None else quote_end
        return Citation(
            n=n,
            doc_id=p.doc_id,
            title=p.title,
            source=str(p.metadata.get("source", "")),
            text=p.text,
            start=p.start,
            end=p.end,
            quote=p.text[q_start - p.start : q_end - p.start],
            quote_start=q_start,
            quote_end=q_end,
            score=round(float(c.score), 4),
        )
