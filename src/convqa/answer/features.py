"""The learned answer step's features: plain numbers from plain inputs (no model, no index).

The same functions build the training rows (from the cached retrievals of
``convqa.training.answer_data``) and the rows of a live question (from the pipeline's
passages), so that what the models learned is what they are shown.

Per sentence: the retrieval signals of its passage (fused rank and score, each retriever's
rank and score), its own cosine with the question and its IDF-weighted coverage, the same
coverage weighted again by how rare each word is among the candidate sentences of the same
article (topic words, repeated by the lead sentence and the question alike, say little
about which sentence answers), answer-type fit (a mention of the kind asked for that the
question does not already hold), its position in the article, and the names check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from convqa.analysis.question import analyse_question
from convqa.analysis.types import MENTION_KINDS, PassageAnalysis, QuestionAnalysis
from convqa.answer.typed import mentions_in, new_to_question
from convqa.index.analyzer import analyze

WH = ("qui", "quoi", "quand", "ou", "combien", "pourquoi", "comment", "quel", "autre")
#: Rank given to a passage a retriever did not return.
ABSENT_RANK = 50.0


@dataclass(frozen=True)
class PassageIn:
    """One retrieved passage as the features see it (article offsets)."""

    doc: str
    start: int
    end: int
    text: str
    score: float
    signals: Mapping[str, float]
    analysis: PassageAnalysis | None = None


@dataclass(frozen=True)
class SentenceIn:
    """One candidate sentence: its passage's index and the index-bound signals."""

    passage: int
    start: int  # article offsets
    end: int
    coverage: float
    cue: float
    cosine: float


@dataclass(frozen=True)
class QuestionIn:
    """The question: its text, analysis, language and its terms' IDF in the index."""

    text: str
    analysis: QuestionAnalysis
    language: str = "fr"
    idf: Mapping[str, float] = field(default_factory=dict)
    names_unknown: bool = False


SENTENCE_FEATURES = (
    "fused_rank",
    "fused_rel",
    "dense",
    "dense_rank",
    "lexical",
    "lexical_rank",
    "cosine",
    "cosine_gap",
    "coverage",
    "coverage_gap",
    "local_coverage",
    "local_gap",
    "cue",
    "type_fit",
    "expected_mentions",
    "focus_here",
    "article_offset",
    "article_first",
    "sentence_in_passage",
    "words",
    "same_article_as_top",
    "article_share",
    "wh",
    "expects",
    "english",
    "names_unknown",
    "question_terms",
    "prev_coverage",
    "next_coverage",
    "prev_cosine",
    "next_cosine",
)
#: The features that read the question's words in the passages' (French) words: an English
#: question meets almost none of them, which training mimics (``as_english``).
WORD_FEATURES = ("coverage", "coverage_gap", "local_coverage", "local_gap", "prev_coverage", "next_coverage")


def code(value: str, values: Sequence[str]) -> float:
    """Index of a categorical value (len(values) when unknown)."""
    return float(values.index(value)) if value in values else float(len(values))


def _local_weights(question_terms: set[str], idf: Mapping[str, float], sentence_terms: list[set[str]]) -> dict:
    """Each question term's IDF times its rarity among these sentences (1 + log(n / df))."""
    n = max(1, len(sentence_terms))
    out = {}
    for t in question_terms:
        df = sum(t in terms for terms in sentence_terms)
        out[t] = idf.get(t, 0.0) * (1.0 + math.log(n / df)) if df else idf.get(t, 0.0) * (1.0 + math.log(n))
    return out


def _covered(weights: Mapping[str, float], terms: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total > 0 else 0.0


def sentence_text(passage: PassageIn, sentence: SentenceIn) -> str:
    """The sentence's text, cut from its passage by article offsets."""
    return passage.text[sentence.start - passage.start : sentence.end - passage.start]


def local_coverage(
    q_terms: set[str], idf: Mapping[str, float], articles: list[str], terms: list[set[str]]
) -> list[float]:
    """Each sentence's coverage of the question, each word weighted by its IDF and by its
    rarity among the candidate sentences of the same article."""
    by_article: dict[str, list[int]] = {}
    for i, doc in enumerate(articles):
        by_article.setdefault(doc, []).append(i)
    local = [0.0] * len(terms)
    for rows in by_article.values():
        weights = _local_weights(q_terms, idf, [terms[i] for i in rows])
        for i in rows:
            local[i] = _covered(weights, terms[i])
    return local


def sentence_rows(
    question: QuestionIn, passages: Sequence[PassageIn], sentences: Sequence[SentenceIn]
) -> list[list[float]]:
    """One feature row (SENTENCE_FEATURES, in order) per candidate sentence."""
    return [a + b for a, b in zip(_own_rows(question, passages, sentences), neighbour_rows(sentences))]


def neighbour_rows(sentences: Sequence[SentenceIn]) -> list[list[float]]:
    """The coverage and cosine of the sentences before and after each one in its passage
    (an answer often follows the sentence that repeats the question's words)."""
    out = []
    for i, s in enumerate(sentences):
        prev = sentences[i - 1] if i > 0 and sentences[i - 1].passage == s.passage else None
        nxt = sentences[i + 1] if i + 1 < len(sentences) and sentences[i + 1].passage == s.passage else None
        out.append(
            [
                prev.coverage if prev else math.nan,
                nxt.coverage if nxt else math.nan,
                prev.cosine if prev else math.nan,
                nxt.cosine if nxt else math.nan,
            ]
        )
    return out


def as_english(row: list[float]) -> list[float]:
    """A sentence row as an English question would give it: no word of it in the passage."""
    out = list(row)
    for name in WORD_FEATURES:
        i = SENTENCE_FEATURES.index(name)
        out[i] = 0.0 if not math.isnan(out[i]) else out[i]
    out[SENTENCE_FEATURES.index("english")] = 1.0
    out[SENTENCE_FEATURES.index("names_unknown")] = 0.0
    return out


def _own_rows(
    question: QuestionIn, passages: Sequence[PassageIn], sentences: Sequence[SentenceIn]
) -> list[list[float]]:
    if not sentences:
        return []
    qa = question.analysis
    q_terms = set(analyze(question.text))
    texts = [sentence_text(passages[s.passage], s) for s in sentences]
    terms = [set(analyze(t)) for t in texts]
    local = local_coverage(q_terms, question.idf, [passages[s.passage].doc for s in sentences], terms)
    top = max((p.score for p in passages), default=0.0) or 1.0
    best_cos = max(s.cosine for s in sentences)
    best_cov = max(s.coverage for s in sentences)
    best_local = max(local)
    top_doc = passages[0].doc if passages else ""
    share = {doc: sum(p.doc == doc for p in passages) / len(passages) for doc in {p.doc for p in passages}}
    first_of: dict[int, int] = {}
    out = []
    for i, s in enumerate(sentences):
        p = passages[s.passage]
        order = first_of.setdefault(s.passage, i)
        found = mentions_in(p.analysis, p.start, s.start, s.end)
        expected = [m for m in found if qa.expects and m.kind == qa.expects]
        fresh = [m for m in expected if new_to_question(p.text[m.start : m.end], q_terms)]
        focus = float(bool(qa.focus) and any(m.head_lemma == qa.focus for m in found)) if p.analysis else math.nan
        out.append(
            [
                float(s.passage),
                p.score / top,
                p.signals.get("dense", math.nan),
                p.signals.get("dense_rank", ABSENT_RANK),
                p.signals.get("lexical", 0.0),
                p.signals.get("lexical_rank", ABSENT_RANK),
                s.cosine,
                best_cos - s.cosine,
                s.coverage,
                best_cov - s.coverage,
                local[i],
                best_local - local[i],
                s.cue,
                float(bool(fresh)) if p.analysis else math.nan,
                float(len(expected)) if p.analysis else math.nan,
                focus,
                float(s.start),
                float(s.start == 0),
                float(i - order),
                float(len(texts[i].split())),
                float(p.doc == top_doc),
                share[p.doc],
                code(qa.wh, WH),
                code(qa.expects, MENTION_KINDS),
                float(question.language != "fr"),
                float(question.names_unknown),
                float(len(q_terms)),
            ]
        )
    return out


ANSWERABLE_FEATURES = (
    "best_score",
    "score_gap",
    "best_cosine",
    "best_coverage",
    "best_local",
    "best_type_fit",
    "top_dense",
    "top_fused",
    "top_lexical",
    "articles",
    "wh",
    "expects",
    "english",
    "names_unknown",
    "question_terms",
    "best_span",
)


def answerable_row(rows: Sequence[Sequence[float]], scores: Sequence[float], best_span: float) -> list[float]:
    """The question-level row of the answerability classifier: the best sentence's signals
    (by the sentence ranker's ``scores``), how far it leads, and the passages' standing."""
    col = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
    order = sorted(range(len(rows)), key=lambda i: scores[i], reverse=True)
    best = rows[order[0]]
    gap = scores[order[0]] - scores[order[1]] if len(order) > 1 else 10.0
    top = [r for r in rows if r[col["fused_rank"]] == 0.0] or [best]
    articles = 1.0 / max(r[col["article_share"]] for r in rows)
    return [
        scores[order[0]],
        gap,
        max(r[col["cosine"]] for r in rows),
        max(r[col["coverage"]] for r in rows),
        max(r[col["local_coverage"]] for r in rows),
        best[col["type_fit"]],
        top[0][col["dense"]],
        top[0][col["fused_rel"]],
        top[0][col["lexical"]],
        articles,
        best[col["wh"]],
        best[col["expects"]],
        best[col["english"]],
        best[col["names_unknown"]],
        best[col["question_terms"]],
        best_span,
    ]


def question_analysis(text: str, language: str) -> QuestionAnalysis:
    """The question's analysis by the rules of ``convqa.analysis.question`` (no model load)."""
    return analyse_question(text, language)
