"""The index-time parser: spaCy's French pipeline over chunk texts, once per chunk.

The pipeline loads once per process, lazily and under a lock (15–20 s and a few hundred MB:
only a process that indexes pays it; questions never load it, see
``convqa.analysis.question``). ``parse_passages`` returns plain frozen data
(``convqa.analysis.types``) with offsets relative to each text, so it can be stored beside
the passage and read back without spaCy.

Model choice, measured on the 432 paragraphs and 2,186 questions of PIAF ``tune`` on 2
cores (scripts/measure_analysis.py): ``fr_core_news_md`` gives an exact candidate for
54.7% of the questions against 53.6% with ``sm`` (persons 8.6% / 8.0%, organisations
3.0% / 2.7%: its NER is the better one, and the answer-type features lean on it), for
0.074 s a paragraph against 0.063 s, 31 s / 22 s to load and 680 / 500 MB. Only a
process that indexes pays the difference, so ``md`` it is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from convqa.analysis.mentions import find_mentions
from convqa.analysis.types import PassageAnalysis, Token

#: The installed spaCy package parsed with (a dependency of the project).
MODEL = "fr_core_news_md"
#: Texts per ``nlp.pipe`` batch: large enough to amortise the model's batching, small
#: enough that a progress bar moves.
BATCH = 32
# spaCy's default limit is 1,000,000 characters; a chunk is at most a few thousand.
_MAX_CHARS = 1_000_000

_lock = threading.Lock()
_loaded: dict[str, object] = {}


def load(name: str = MODEL):  # -> spacy.language.Language (spaCy is imported lazily)
    """The spaCy pipeline ``name``, loaded once per process (thread-safe)."""
    nlp = _loaded.get(name)
    if nlp is not None:
        return nlp
    with _lock:
        nlp = _loaded.get(name)
        if nlp is None:
            import spacy  # a second of import: only processes that parse pay it

            nlp = spacy.load(name)
            nlp.max_length = _MAX_CHARS
            _loaded[name] = nlp
    return nlp


def parse_passages(texts: list[str], model: str = MODEL) -> list[PassageAnalysis]:
    """The analysis of each text, in order (offsets relative to each text)."""
    return list(iter_parse(texts, model=model))


def iter_parse(texts: Iterable[str], model: str = MODEL, batch_size: int = BATCH) -> Iterable[PassageAnalysis]:
    """``parse_passages`` as a stream, for callers that report progress."""
    nlp = load(model)
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield analyse_doc(doc)


def analyse_doc(doc) -> PassageAnalysis:
    """A parsed spaCy ``Doc`` as plain data: tokens without whitespace tokens, mentions,
    sentences."""
    keep = [tok for tok in doc if not tok.is_space]
    index = {tok.i: n for n, tok in enumerate(keep)}
    tokens = []
    for n, tok in enumerate(keep):
        tokens.append(
            Token(
                start=tok.idx,
                end=tok.idx + len(tok.text),
                lemma=(tok.lemma_ or tok.text).lower(),
                pos=tok.pos_,
                dep=tok.dep_,
                # A head on a whitespace token (rare) becomes the token itself, as a root.
                head=index.get(tok.head.i, n),
            )
        )
    sentences = tuple((sent.start_char, sent.end_char) for sent in doc.sents)
    return PassageAnalysis(tokens=tuple(tokens), mentions=tuple(find_mentions(doc)), sentences=sentences)
