"""Cached retrievals (``answer_data``) → the inputs the answer step's features take.

The chunks' French analysis is computed once with the index-time parser and cached beside
the data (by chunk id: a chunk's text never changes under its id), so retraining never
parses again.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from convqa.analysis.types import Mention, PassageAnalysis, Token
from convqa.answer.features import PassageIn, QuestionIn, SentenceIn, question_analysis
from convqa.evaluation.metrics import GoldRange, covers, normalize_answer
from convqa.training.answer_data import read_json_gz, write_json_gz


def analysis_to_json(a: PassageAnalysis) -> list:
    """A PassageAnalysis as nested lists (compact JSON)."""
    return [
        [[t.start, t.end, t.lemma, t.pos, t.dep, t.head] for t in a.tokens],
        [[m.start, m.end, m.kind, m.head_lemma, m.dep] for m in a.mentions],
        [list(s) for s in a.sentences],
    ]


def analysis_from_json(data: list) -> PassageAnalysis:
    """The inverse of ``analysis_to_json``."""
    tokens, mentions, sentences = data
    return PassageAnalysis(
        tuple(Token(*t) for t in tokens), tuple(Mention(*m) for m in mentions), tuple(tuple(s) for s in sentences)
    )


def chunk_analyses(data: dict, work: Path) -> dict[str, PassageAnalysis]:
    """Every cached chunk's analysis, parsed once (``work/analyses.json.gz``); empty when
    the parser is not available."""
    path = work / "analyses.json.gz"
    cached = read_json_gz(path) if path.exists() else {}
    todo = [c for c in sorted(data["chunks"]) if c not in cached]
    if todo:
        try:
            from convqa.analysis.french import parse_passages  # lazy: loads spaCy
        except ImportError:
            print("no French parser: training without the passages' analysis", file=sys.stderr)
            return {}
        print(f"parsing {len(todo)} chunks", file=sys.stderr)
        for chunk, analysis in zip(todo, parse_passages([data["chunks"][c]["text"] for c in todo])):
            cached[chunk] = analysis_to_json(analysis)
        write_json_gz(path, cached)
    return {c: analysis_from_json(v) for c, v in cached.items()}


@dataclass
class Case:
    """One question under one condition, ready for the features."""

    id: str
    split: str  # dev or train
    condition: str  # own, held, near
    article: str  # the question's article (folds and groups follow it)
    answer: str
    question: QuestionIn
    passages: list[PassageIn]
    sentences: list[SentenceIn]
    #: Per sentence: True when it holds the whole gold answer.
    gold: list[bool]
    #: The gold answer is somewhere in these passages (own) / false negatives dropped (near).
    answerable: bool


def cases(data: dict, analyses: dict[str, PassageAnalysis], conditions=("own", "held", "near")) -> list[Case]:
    """Every cached question under each condition."""
    chunks = data["chunks"]
    out = []
    for q in data["questions"]:
        qa = question_analysis(q["question"], q["language"])
        gold = GoldRange(q["doc"], q["start"], q["end"])
        for name in conditions:
            cond = q[name]
            passages = [
                PassageIn(
                    p["doc"],
                    p["start"],
                    p["end"],
                    chunks[p["chunk"]]["text"],
                    p["score"],
                    p["signals"],
                    analyses.get(p["chunk"]),
                )
                for p in cond["passages"]
            ]
            sentences = [SentenceIn(int(i), a, b, cov, cue, cos) for i, a, b, cov, cue, cos in cond["sentences"]]
            if not sentences:
                continue
            holds = [covers(passages[s.passage].doc, s.start, s.end, gold) for s in sentences]
            if name == "near" and _answer_still_there(q, passages):
                continue  # the same fact given in another paragraph: not a near miss
            question = QuestionIn(q["question"], qa, q["language"], q["idf"], bool(cond["names_unknown"]))
            out.append(
                Case(
                    q["id"],
                    q["split"],
                    name,
                    q["doc"],
                    q["answer"],
                    question,
                    passages,
                    sentences,
                    holds,
                    name == "own" and any(holds),
                )
            )
    return out


def _answer_still_there(q: dict, passages: list[PassageIn]) -> bool:
    wanted = normalize_answer(q["answer"])
    return bool(wanted) and any(p.doc == q["doc"] and wanted in normalize_answer(p.text) for p in passages)


def describe(all_cases: list[Case]) -> str:
    """How many cases of each split and condition (for the training log)."""
    counts: dict[str, int] = {}
    for c in all_cases:
        key = f"{c.split}/{c.condition}"
        counts[key] = counts.get(key, 0) + 1
    return json.dumps(counts, sort_keys=True)
