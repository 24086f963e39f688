"""The last step: an Answer with numbered citations, from the passages and a Reading.

Citation [1] is the passage of the best candidate; the others follow by their best
candidate. The answer text is the short answer (when the step found one) followed by the
quoted sentence and its [1], or an abstention in the question's language.
"""

from __future__ import annotations

from convqa.answer.candidates import Candidate
from convqa.answer.language import ABSTAIN
from convqa.answer.reading import Reading
from convqa.answer.types import Answer, Citation, ShortAnswer
from convqa.retrieval.types import Passage, Query

#: A quoted sentence shorter than this rarely answers alone: the next one is quoted too.
SHORT_SENTENCE_WORDS = 12
#: Candidates scoring under this share of the best one are not cited (0: cite up to the limit).
MIN_RELATIVE_SCORE = 0.0


class Composer:
    """Turns a Reading into the Answer a user reads."""

    def run(self, query: Query, passages: list[Passage], reading: Reading, limit: int) -> Answer:
        """The Answer (timings are added by the pipeline)."""
        if reading.abstain or not reading.candidates:
            return Answer(question=query.text, answer=ABSTAIN.get(query.language, ABSTAIN["fr"]),
                          abstained=True, language=query.language)
        best_of: dict[int, Candidate] = {}
        for c in reading.candidates:
            best_of.setdefault(c.passage, c)
        order = reading.order or sorted(best_of, key=lambda i: best_of[i].score, reverse=True)
        order = [i for i in order if i in best_of][:limit]
        head = best_of[order[0]]
        quote_end = head.end
        if len(head.text.split()) < SHORT_SENTENCE_WORDS and (reading.short is None or reading.short.candidate is not head):
            following = [e for s, e in passages[order[0]].sentence_spans() if passages[order[0]].start + s >= head.end]
            if following:
                quote_end = passages[order[0]].start + following[0]
        citations = []
        for n, i in enumerate(order, 1):
            p, c = passages[i], best_of[i]
            q_start, q_end = c.start, (quote_end if n == 1 else c.end)
            citations.append(Citation(
                n=n, doc_id=p.doc_id, title=p.title, source=str(p.metadata.get("source", "")),
                text=p.text, start=p.start, end=p.end,
                quote=p.text[q_start - p.start:q_end - p.start], quote_start=q_start, quote_end=q_end,
                score=round(float(c.score), 4),
            ))
        short = None
        text = f"{citations[0].quote} [1]"
        if reading.short is not None:
            s = reading.short
            short = ShortAnswer(s.text, s.candidate.doc_id, s.start, s.end, n=1)
            text = f"{s.text} — « {citations[0].quote} » [1]" if query.language == "fr" else f"{s.text} — “{citations[0].quote}” [1]"
        return Answer(question=query.text, answer=text, abstained=False, citations=citations,
                      language=query.language, short=short)
