"""SQuAD-format data (PIAF) → corpus articles plus gold answer ranges in article offsets.

Each SQuAD article becomes one corpus article whose text is its paragraphs separated by a
blank line, already in the loader's canonical form, so that the text the index sees is
exactly the text built here and a gold ``answer_start`` maps to an article offset by
adding its paragraph's offset. Every mapped range is checked to slice to the answer; the
few SQuAD answers whose ``answer_start`` is off (PIAF has some) are moved to the nearest
occurrence of the answer in the same paragraph, and counted.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path

from convqa.corpus.loader import load_corpus, normalize_text, slugify
from convqa.errors import ConvqaError

SPLITS = ("tune", "test")
#: Hand-translated English versions of PIAF questions, per split (how they were chosen:
#: data/README.md): the test ones are measured by ``convqa eval --english``, the tune ones
#: (dev articles only) fit the fusion of a question in English (``convqa.training.fit_fusion``).
ENGLISH_QUESTIONS = {"test": "piaf-test-en.jsonl", "tune": "piaf-tune-dev-en.jsonl"}


@dataclass(frozen=True)
class EvalArticle:
    """One article of the evaluation corpus; ``paragraph_starts`` are offsets in ``text``."""

    doc_id: str
    title: str
    text: str
    paragraph_starts: tuple[int, ...]
    split: str


@dataclass(frozen=True)
class EvalQuestion:
    """A question with its gold answer range ``[start, end)`` in its article's text."""

    id: str
    question: str
    answer: str
    doc_id: str
    title: str
    start: int
    end: int
    split: str


@dataclass
class EvalSet:
    """Articles and questions, with what had to be repaired or dropped to map the answers."""

    path: str
    articles: list[EvalArticle] = field(default_factory=list)
    questions: list[EvalQuestion] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # question ids whose answer_start was off
    dropped: list[str] = field(default_factory=list)  # question ids whose answer was not found


def split_of(title: str) -> str:
    """Deterministic article-level split: every question of an article lands on the same side."""
    return SPLITS[hashlib.sha256(title.encode("utf-8")).digest()[0] % 2]


def paragraph_range(text: str, starts: tuple[int, ...], offset: int) -> tuple[int, int]:
    """[start, end) of the paragraph of an article (``starts``: paragraph offsets) holding ``offset``."""
    i = max(j for j, s in enumerate(starts) if s <= offset)
    end = starts[i + 1] - 2 if i + 1 < len(starts) else len(text)
    return starts[i], end


def _clean(text: str) -> str:
    """A paragraph in the loader's canonical form, kept on one line (offsets preserved
    except where NFC or a dropped control character changes the length)."""
    text = unicodedata.normalize("NFC", text).replace("\ufeff", "")
    # A newline inside a paragraph would let the loader split it; a space keeps the length.
    text = "".join(" " if ch in "\r\n\u2028\u2029" else ch for ch in text)
    return "".join(ch for ch in text if ch == "\t" or unicodedata.category(ch) != "Cc")


def _nearest(haystack: str, needle: str, near: int) -> int | None:
    """Offset of the occurrence of ``needle`` closest to ``near``, or None."""
    best, at = None, haystack.find(needle)
    while at != -1:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        at = haystack.find(needle, at + 1)
    return best


def _unique_id(title: str, taken: set[str]) -> str:
    base = slugify(title)
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    taken.add(doc_id)
    return doc_id


def load_squad(path: Path, limit: int | None = None) -> EvalSet:
    """Read a SQuAD-format file: its first ``limit`` articles (all when None)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["data"]
    except FileNotFoundError:
        raise ConvqaError("dataset_not_found", file=path) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConvqaError("not_squad", file=path, error=exc.__class__.__name__) from None
    if limit is not None:
        entries = entries[:limit]
    result = EvalSet(path=str(path))
    taken: set[str] = set()
    for entry in entries:
        title = normalize_text(str(entry.get("title", ""))).replace("\n", " ") or "Sans titre"
        doc_id = _unique_id(title, taken)
        split = split_of(title)
        parts: list[str] = []
        starts: list[int] = []
        pending: list[tuple[dict, str, int, str, int]] = []  # qa, raw context, lead, text, offset
        offset = 0
        for paragraph in entry.get("paragraphs", []):
            raw = str(paragraph.get("context", ""))
            cleaned = _clean(raw)
            lead = len(cleaned) - len(cleaned.lstrip())
            text = cleaned.strip()
            if not text:
                result.dropped += [str(qa.get("id")) for qa in paragraph.get("qas", [])]
                continue
            # Raw answer offsets count characters of the raw context: map through _clean.
            for qa in paragraph.get("qas", []):
                pending.append((qa, raw, lead, text, offset))
            starts.append(offset)
            parts.append(text)
            offset += len(text) + 2  # the blank line between paragraphs
        article_text = "\n\n".join(parts)
        if not article_text:
            continue
        if normalize_text(article_text) != article_text:
            raise ConvqaError("not_canonical", title=title)  # a bug here, not in the data
        result.articles.append(EvalArticle(doc_id, title, article_text, tuple(starts), split))
        for qa, raw, lead, text, base in pending:
            question = _map_question(qa, raw, lead, text, base, doc_id, title, split, result)
            if question is not None:
                assert article_text[question.start : question.end] == question.answer
                result.questions.append(question)
    return result


def _map_question(
    qa: dict, raw: str, lead: int, text: str, base: int, doc_id: str, title: str, split: str, result: EvalSet
) -> EvalQuestion | None:
    qid = str(qa.get("id", ""))
    answers = qa.get("answers") or []
    question = str(qa.get("question", "")).strip()
    if not answers or not question:
        result.dropped.append(qid)
        return None
    gold = answers[0]  # PIAF has one answer per question
    raw_answer = str(gold.get("text", ""))
    raw_start = int(gold.get("answer_start", -1))
    answer = _clean(raw_answer)
    skip = len(answer) - len(answer.lstrip())
    answer = answer.strip()
    if not answer or raw_start < 0:
        result.dropped.append(qid)
        return None
    start = len(_clean(raw[:raw_start])) - lead + skip
    if text[start : start + len(answer)] != answer:
        found = _nearest(text, answer, start)
        if found is None:
            result.dropped.append(qid)
            return None
        result.repaired.append(qid)
        start = found
    return EvalQuestion(qid, question, answer, doc_id, title, base + start, base + start + len(answer), split)


def write_corpus(evalset: EvalSet, folder: Path) -> None:
    """One Markdown file with YAML front matter (title, id) per article."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in evalset.articles:
        # A JSON string is a valid YAML double-quoted scalar: titles with colons stay safe.
        head = f"---\ntitle: {json.dumps(article.title, ensure_ascii=False)}\nid: {article.doc_id}\n---\n"
        (folder / f"{article.doc_id}.md").write_text(head + article.text + "\n", encoding="utf-8")


def verify_corpus(evalset: EvalSet, folder: Path, max_bytes: int = 5_000_000) -> None:
    """Read the written corpus back through the loader: texts must be identical, so every
    gold range slices to its answer in what the index holds. ConvqaError otherwise."""
    articles, warnings = load_corpus(folder, max_bytes)
    loaded = {a.doc_id: a for a in articles}
    for article in evalset.articles:
        got = loaded.get(article.doc_id)
        if got is None:
            raise ConvqaError("loader_skipped", doc_id=article.doc_id, reasons="; ".join(warnings) or "no reason given")
        if got.text != article.text or got.title != article.title:
            raise ConvqaError("loader_changed", doc_id=article.doc_id)
    for q in evalset.questions:
        if loaded[q.doc_id].text[q.start : q.end] != q.answer:
            raise ConvqaError("gold_off", question=q.id)


def english_questions(evalset: EvalSet, *, split: str = "test", partial: bool = False) -> list[EvalQuestion]:
    """The ``split`` questions that have an English version, with the English text in place
    of the French one (same article, same gold range), in the data file's order.

    Every id must be a ``split`` question of ``evalset`` with the French text it was translated
    from: another dataset, a ``--limit`` that leaves its article out or a changed question
    is an error, not a smaller or different set. With ``partial`` (a run on the first
    articles only) the questions whose article was not loaded are left out instead.
    """
    by_id = {q.id: q for q in evalset.questions}
    source = files("convqa.evaluation") / "data" / ENGLISH_QUESTIONS[split]
    result = []
    for line in source.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        question = by_id.get(entry["id"])
        if question is None and partial:
            continue
        if question is None or question.split != split or question.question != entry["question_fr"]:
            raise ConvqaError("english_question_missing", question=entry["id"], split=split, dataset=evalset.path)
        result.append(replace(question, question=entry["question_en"]))
    return result
