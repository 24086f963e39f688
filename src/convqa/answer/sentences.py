"""The hand-tuned answer step: scores every candidate sentence from cheap signals.

A sentence's score adds the passage's standing (fused rank, cosine), how much of the
question it covers, a small bonus when it holds the kind of thing asked, and in a
conversation a bonus near the previous quote (a repeated sentence comes last). When the
words of the question are not found (an English question, a paraphrase), the top
passages' sentences are also compared with the question by their vectors. It abstains
when neither vectors nor words tie the best passage to the question, or when a French
question names only things the articles never mention (``answer/names.py``), and rates each
passage's support with the same two signals, so that only passages that could answer on
their own are cited.
"""

from __future__ import annotations

from convqa.answer.candidates import Candidate, SentenceVectors, passage_prior, sentence_candidates
from convqa.answer.names import names_nothing_known
from convqa.answer.reading import Reading
from convqa.model.calibration import Calibration
from convqa.retrieval.types import Passage, Query

# Weights tuned on PIAF's tune split (a grid around them is flat within 0.01).
COVERAGE_WEIGHT = 0.45
CUE_BONUS = 0.08
REPEAT_PENALTY = 1.0
PROXIMITY_BONUS = 0.15


class SentenceScorer:
    """Answer step: hand-weighted signals, no trained model."""

    def __init__(self, lexical, sentence_vectors: SentenceVectors, calibration: Calibration) -> None:
        self.lexical = lexical
        self.sentence_vectors = sentence_vectors
        self.calibration = calibration

    def run(self, query: Query, passages: list[Passage]) -> Reading:
        """Candidates best first, and whether to abstain."""
        if not passages:
            return Reading()
        lexical = self.lexical()
        candidates = sentence_candidates(query, passages, lexical)
        priors = passage_prior(passages, self.calibration)
        for c in candidates:
            f = c.features
            c.score = c.features["prior"] = (
                priors[c.passage] + COVERAGE_WEIGHT * c.coverage + CUE_BONUS * f["cue"]
                - REPEAT_PENALTY * f.get("repeat", 0.0) + PROXIMITY_BONUS * f.get("proximity", 0.0)
            )
        best_coverage = max(c.coverage for c in candidates)
        if query.vector is not None and (query.language != "fr" or best_coverage < self.calibration.dense_fallback_below):
            # Lexical evidence is weak: let the embedding model judge the top passages' sentences.
            pool = [c for c in candidates if c.passage < 3 or passages[c.passage].signals.get("neighbour")]
            self.sentence_vectors.prefetch([passages[i] for i in sorted({c.passage for c in pool})])
            sims = self.sentence_vectors.similarities(query.vector, [c.text for c in pool])
            for c, sim in zip(pool, sims):
                c.features["similarity"] = self.calibration.scale(sim)
                c.score += COVERAGE_WEIGHT * max(0.0, c.features["similarity"] - c.coverage)
        candidates.sort(key=lambda c: c.score, reverse=True)
        best_dense = max((p.signals.get("dense") or 0.0) for p in passages[:3])
        # Articles left out of retrieval (query.exclude) do not vouch for a name either.
        abstain = (
            best_dense < self.calibration.min_dense and best_coverage < self.calibration.min_coverage
            or names_nothing_known(query.text, query.language, lambda terms: lexical.mentions(terms, query.exclude))
        )
        return Reading(candidates, abstain=bool(abstain), relevance=self.support(passages, candidates))

    def support(self, passages: list[Passage], candidates: list[Candidate]) -> dict[int, float]:
        """0..1 per passage: the question's word coverage (or vector similarity) of its best
        sentence, or its cosine standing docked by how far it falls behind the best passage,
        whichever is higher.

        The docking is there because short questions sit close to everything in e5's space
        (« Qui a inauguré le téléphérique ? » has cosine 0.81 with unrelated passages): only
        a passage nearly as close as the best one supports the answer by its vector alone.
        The default citing bar (0.3) is where the abstention thresholds sit (coverage 0.34).
        """
        standing = [self.calibration.scale(p.signals.get("dense")) for p in passages]
        top = max(standing, default=0.0)
        support = {i: max(0.0, 2 * s - top) for i, s in enumerate(standing)}
        for c in candidates:
            support[c.passage] = max(support[c.passage], c.coverage, c.features.get("similarity", 0.0))
        return support
