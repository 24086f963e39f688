"""A toy answer step, loaded by tests through settings alone (``answerer="toy_steps:FirstSentence"``)."""

from __future__ import annotations

from convqa.answer.reading import Reading, SentenceCandidate


class FirstSentence:
    """Quotes the first sentence of the best passage, whatever the question."""

    def __init__(self, resources) -> None:
        self.resources = resources

    def run(self, query, passages, index) -> Reading:
        p = passages[0]
        start, end = p.sentence_spans()[0]
        first = SentenceCandidate(0, p.doc_id, p.start + start, p.start + end, p.text[start:end], score=1.0)
        return Reading((first,), abstain=False)
