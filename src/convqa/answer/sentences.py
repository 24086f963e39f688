"""The hand-tuned answer step: scores every candidate sentence from cheap signals.

A sentence's score adds the passage's standing (fused rank, cosine), how much of the
question it covers, a small bonus when it holds the kind of thing asked, and in a
conversation a bonus near the previous quote (a repeated sentence comes last). When the
words of the question are not found (an English question, a paraphrase), the
passages' sentences are also compared with the question by their vectors. It abstains
when neither vectors nor words tie the best passage to the question, or when a French
question names only things the articles never mention (``answer/names.py``), and rates each
passage's support with the same two signals, so that only passages that could answer on
their own are cited.
"""

from __future__ import annotations

from dataclasses import replace

from convqa.analysis.question import analyse_question
from convqa.answer.candidates import SentenceVectors, sentence_candidates
from convqa.answer.prerank import COVERAGE_WEIGHT, passage_prior, prerank
from convqa.answer.reading import Reading, SentenceCandidate
from convqa.answer.thresholds import rules_abstain
from convqa.answer.typed import fresh_mention, stored_analyses
from convqa.index.analyzer import analyze
from convqa.index.view import IndexView
from convqa.model.calibration import Calibration
from convqa.retrieval.types import Passage, Query

#: The passages, best first, whose sentences are compared with the question by their vectors
#: when its words are not found (the sentence vectors are stored at index time); None: every
#: passage read. Chosen on tune (scripts/grid_hand_tuned.py --passages): for both models, each
#: passage more raised evidence_hit@5 on dev, train and English dev, and quote_hit@1 rose for
#: EmbeddingGemma (e5's moved by two dev questions, a tie).
SIMILARITY_PASSAGES: int | None = None


class SentenceScorer:
    """Answer step: hand-weighted signals, no trained model."""

    def __init__(self, sentence_vectors: SentenceVectors, calibration: Calibration) -> None:
        self.sentence_vectors = sentence_vectors
        self.calibration = calibration

    def run(self, query: Query, passages: list[Passage], index: IndexView) -> Reading:
        """Candidates best first, and whether to abstain."""
        if not passages:
            return Reading()
        lexical = index.lexical
        priors = passage_prior(passages, self.calibration)
        typed = self._typed_cue(query, passages, index)
        candidates = []
        for c in sentence_candidates(query, passages, lexical):
            c = typed(c)
            score = prerank(priors[c.passage], c.coverage, c.features)
            candidates.append(replace(c, score=score, features={**c.features, "prior": score}))
        best_coverage = max(c.coverage for c in candidates)
        if query.vector is not None and (
            query.language != "fr" or best_coverage < self.calibration.dense_fallback_below
        ):
            candidates = self._with_similarity(query, passages, candidates)
        candidates.sort(key=lambda c: c.score, reverse=True)
        abstain = rules_abstain(query, passages, best_coverage, self.calibration, lexical)
        return Reading(tuple(candidates), abstain=bool(abstain), relevance=self.support(passages, candidates, query))

    def _typed_cue(self, query: Query, passages: list[Passage], index: IndexView):
        """A function that sets a candidate's ``cue`` from the passage's stored analysis (a
        mention of the kind asked for, new to the question: ``answer/typed.py``), keeping
        the pattern cue of ``answer/candidates.py`` where the index holds no analysis."""
        analyses = stored_analyses(index, passages)
        question = analyse_question(query.text, query.language)
        if not analyses or not question.expects:
            return lambda c: c
        terms = set(analyze(query.text))

        def typed(c: SentenceCandidate) -> SentenceCandidate:
            passage = passages[c.passage]
            analysis = analyses.get(passage.chunk_id)
            if analysis is None:
                return c
            fits = fresh_mention(question, terms, passage, analysis, c.start, c.end)
            return replace(c, features={**c.features, "cue": float(fits)})

        return typed

    def _with_similarity(
        self, query: Query, passages: list[Passage], candidates: list[SentenceCandidate]
    ) -> list[SentenceCandidate]:
        """Lexical evidence is weak: let the embedding model judge the passages' sentences."""
        pool = [
            i
            for i, c in enumerate(candidates)
            if SIMILARITY_PASSAGES is None
            or c.passage < SIMILARITY_PASSAGES
            or passages[c.passage].signals.get("neighbour")
        ]
        self.sentence_vectors.prefetch([passages[i] for i in sorted({candidates[i].passage for i in pool})])
        sims = self.sentence_vectors.similarities(query.vector, [candidates[i].text for i in pool])
        out = list(candidates)
        for i, sim in zip(pool, sims):
            c = candidates[i]
            similarity = self.calibration.scale(sim)
            out[i] = replace(
                c,
                features={**c.features, "similarity": similarity},
                score=c.score + COVERAGE_WEIGHT * max(0.0, similarity - c.coverage),
            )
        return out

    def support(
        self, passages: list[Passage], candidates: list[SentenceCandidate], query: Query | None = None
    ) -> dict[int, float]:
        """0..1 per passage: the question's word coverage (or vector similarity) of its best
        sentence, or its cosine standing docked by how far it falls behind the best passage,
        whichever is higher.

        The docking is there because short questions sit close to everything in e5's space
        (« Qui a inauguré le téléphérique ? » has cosine 0.81 with unrelated passages): only
        a passage nearly as close as the best one supports the answer by its vector alone.
        The default citing bar (0.3) is where the abstention thresholds sit (coverage 0.34).

        A follow-up read with the previous question (``query.context``) is searched with both,
        so its vector and its coverage speak for the earlier topic too: a passage then
        supports the answer only by its coverage of this question's own words.
        """
        if query is not None and query.context:
            support = dict.fromkeys(range(len(passages)), 0.0)
            for c in candidates:
                support[c.passage] = max(support[c.passage], c.features.get("own", 0.0))
            return support
        standing = [self.calibration.scale(p.signals.get("dense")) for p in passages]
        top = max(standing, default=0.0)
        support = {i: max(0.0, 2 * s - top) for i, s in enumerate(standing)}
        for c in candidates:
            support[c.passage] = max(support[c.passage], c.coverage, c.features.get("similarity", 0.0))
        return support
