"""The training examples of ``convqa train-reader``: tune questions with their candidates.

Honest by construction: questions of ``test`` articles (the article-level ``split_of``
that ``convqa eval`` reports on) are never read. A fifth of the ``tune`` articles is kept
aside as ``dev``, to calibrate answerability and weigh the reranking prior; the rest trains.

For each question the candidates are what the assistant itself would show the reader:
the sentences of the passages retrieved for it (hybrid retrieval on an index of the whole
dataset), pre-ranked by the cheap scorer (convqa.answer.candidates).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from convqa.answer.reader_step import reader_candidates
from convqa.assistant import Assistant
from convqa.evaluation.dataset import EvalSet, load_squad, write_corpus
from convqa.evaluation.metrics import GoldRange, covers
from convqa.evaluation.run import eval_settings
from convqa.settings import Settings

#: Sentence texts of every candidate, keyed by (article id, start, end).
Texts = dict[tuple, str]


@dataclass
class Example:
    """One tune question with its candidate sentences (article offsets)."""

    question: str
    split: str  # "dev" or "train", by its article (set by assign_dev)
    gold: GoldRange
    candidates: list[dict] = field(default_factory=list)  # own index
    held_out: list[dict] = field(default_factory=list)  # without the question's article


def dev_article(title: str) -> bool:
    """A fifth of the tune articles, chosen by title hash, kept aside for calibration.

    A tenth (10 articles, 255 questions) proved too few: the abstention threshold set to 4%
    on them abstained on 9.6% of test questions, questions of one article being alike.
    """
    return hashlib.sha256(("dev:" + title).encode("utf-8")).digest()[0] % 10 < 2


def indexed_assistant(dataset: Path, work: Path, settings: Settings) -> tuple[EvalSet, Assistant]:
    """The dataset's articles written to ``work/corpus`` and indexed by the real pipeline
    (hand-tuned answer step) in ``work/data``; the assistant that answers over them."""
    evalset = load_squad(dataset)
    write_corpus(evalset, work / "corpus")
    base = settings.model_copy(update={"answerer": "sentences"})
    assistant = Assistant(eval_settings(base, work / "corpus", work / "data", 10))
    print(f"indexing {len(evalset.articles)} articles for training candidates", file=sys.stderr)
    assistant.index()
    return evalset, assistant


def build_examples(
    dataset: Path, work: Path, settings: Settings, limit: int | None = None
) -> tuple[list[Example], Texts]:
    """Index the dataset's articles and retrieve candidates for every tune question.

    ``settings`` is the caller's base (its answerer is replaced by the hand-tuned one, whose
    pre-rank the candidates follow). Returns the examples and the text of every sentence.
    """
    evalset, assistant = indexed_assistant(dataset, work, settings)
    questions = [q for q in evalset.questions if q.split == "tune"]
    if limit:  # smoke runs: spread over the articles, so that dev ones are among them
        questions = questions[:: max(1, len(questions) // limit)][:limit]
    texts: Texts = {}
    examples = []
    for q in tqdm(questions, desc="candidates", unit="q", file=sys.stderr, mininterval=2):
        view = assistant.pipeline.view()
        query = assistant.pipeline.query(q.question, index=view)
        passages = assistant.pipeline.retrieve(query, limit=30, index=view)
        own = passages[:8]
        held = [p for p in passages if p.doc_id != q.doc_id][:8]
        rows = []
        for group in (own, held):
            cands = reader_candidates(query, group, view.lexical, assistant.sentence_vectors, assistant.calibration)
            rows.append([{"doc_id": c.doc_id, "start": c.start, "end": c.end, "prior": c.prior} for c in cands])
            for c in cands:
                texts[(c.doc_id, c.start, c.end)] = c.text
        examples.append(Example(q.question, "", GoldRange(q.doc_id, q.start, q.end), rows[0], rows[1]))
    assign_dev(examples, {a.doc_id: a.title for a in evalset.articles})
    return examples, texts


def assign_dev(examples: list[Example], titles: dict[str, str]) -> None:
    """Mark each example ``dev`` or ``train`` by its article (``titles``: id → title), as
    ``dev_article`` says today."""
    for e in examples:
        e.split = "dev" if dev_article(titles[e.gold.doc_id]) else "train"


def candidate_covers(candidate: dict, example: Example) -> bool:
    """True when the candidate sentence holds the example's whole gold answer."""
    return covers(candidate["doc_id"], candidate["start"], candidate["end"], example.gold)


def gold_index(example: Example) -> int | None:
    """Position of the first candidate that holds the gold answer, or None."""
    for i, c in enumerate(example.candidates):
        if candidate_covers(c, example):
            return i
    return None


def gold_text(example: Example, texts: Texts) -> str:
    """The gold answer cut from its candidate sentence ("" when no candidate holds it)."""
    i = gold_index(example)
    if i is None:
        return ""
    c = example.candidates[i]
    doc, start, end = example.gold
    return texts[(doc, c["start"], c["end"])][start - c["start"] : end - c["start"]]


def sentence_text(candidate: dict, texts: Texts) -> str:
    """The text of one candidate sentence."""
    return texts[(candidate["doc_id"], candidate["start"], candidate["end"])]
