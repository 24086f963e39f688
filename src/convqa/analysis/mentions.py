"""Typed candidate spans of a parsed French passage: entities, numbers, dates, chunks, subtrees.

The French pipelines label PER, LOC, ORG and MISC only, so numbers and dates come from
patterns: a date from a regular expression over the text (years, « 25 octobre 2025 »,
« le 3 mai », months, centuries, decades, « depuis 1998 »), a number from runs of number
tokens with the noun they count (« 110 pays », « 41 millions d'euros », « 25 % »). Noun
chunks and the dependency subtrees of nominal heads (obj, obl, nmod, appos, nsubj) cover
the answers of « quel… » questions that no type names.
"""

from __future__ import annotations

import re

from convqa.analysis.types import Mention

_MONTH = r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)"
_DAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(?:1er|[0-3]?\d)"
_YEAR = r"(?:1\d{3}|20\d{2})"
_CORE = (
    rf"{_DAY}\s+{_MONTH}(?:\s+{_YEAR})?"  # 25 octobre 2025, le 3 mai
    rf"|{_MONTH}\s+{_YEAR}"  # mai 2024
    r"|(?:[IVXLC]+|\d{1,2})(?:e|er|ème|eme)\s+si[èe]cles?"  # XIXe siècle
    rf"|ann[ée]es\s+(?:{_YEAR}|[1-9]0)"  # années 1980, années 80
    rf"|(?:de|entre)\s+{_YEAR}\s+(?:à|a|et)\s+{_YEAR}"  # de 1914 à 1918
    r"|[0-2]?\d\s?h(?:\s?[0-5]\d)?(?![\w])"  # 14 h 30
    rf"|{_YEAR}|{_MONTH}"
)
#: A date, alone or after the preposition a « quand » answer often keeps.
_DATE = re.compile(
    rf"(?<![\w])(?P<pre>(?:en|depuis|dès|jusqu['’]en|vers|à partir de|au cours de l['’]année)\s+)?"
    rf"(?P<core>{_CORE})(?![\w])",
    re.IGNORECASE,
)
_SCALE = {"million", "millions", "milliard", "milliards", "mille", "millier", "milliers", "cent", "cents"}
_PERCENT = {"%", "pourcent", "pour-cent"}
_UNIT = {"€", "$", "£", "km", "m", "kg", "t", "ha", "cm", "mm", "km²", "m²", "°c"}
_ENTITY = {"PER", "LOC", "ORG", "MISC"}
_SUBTREE_DEPS = {"obj", "obl", "nmod", "appos", "nsubj", "iobj"}
_MAX_SUBTREE = 10
#: Clauses answer « comment », « pourquoi » and many « quel… » questions (« afin de
#: redonner… », « le général dut évacuer le Portugal »): the subtree of a verb in one of
#: these relations, a little longer.
_CLAUSE_DEPS = {"advcl", "ccomp", "xcomp", "acl", "csubj", "conj"}
_MAX_CLAUSE = 12


def _is_number(tok) -> bool:
    """A token of a number: digits, « 2,5 », « deux », a scale word; « un » only before a
    scale word (it is mostly an article)."""
    low = tok.lower_
    if low in ("un", "une"):
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        return nxt is not None and nxt.lower_ in _SCALE
    return bool(tok.like_num) or low in _SCALE or (tok.pos_ == "NUM" and any(c.isdigit() for c in low))


def _span_root(doc, start: int, end: int):
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def date_mentions(doc) -> list[Mention]:
    """DATE mentions: the core date, and the date with its preposition when it has one."""
    out = []
    for match in _DATE.finditer(doc.text):
        spans = [match.span("core")]
        if match.group("pre"):
            spans.append(match.span())
        for start, end in spans:
            root = _span_root(doc, start, end)
            # A lone year that counts a noun (« 1500 personnes ») is a number, not a date.
            if re.fullmatch(_YEAR, doc.text[start:end]) and root is not None and root.i + 1 < len(doc):
                if root.nbor(1).pos_ == "NOUN" and root.nbor(1).lower_ not in _SCALE:
                    continue
            out.append(Mention(start, end, "DATE", dep=root.dep_ if root is not None else ""))
    return out


def number_mentions(doc, taken: list[tuple[int, int]]) -> list[Mention]:
    """NUM mentions: a run of number tokens (with its unit or « % »), then the same run
    with the noun it counts; ``head_lemma`` is that noun's lemma. Runs inside ``taken``
    (dates) are skipped."""
    out, i, n = [], 0, len(doc)
    while i < n:
        tok = doc[i]
        if not _is_number(tok) or any(a <= tok.idx < b for a, b in taken):
            i += 1
            continue
        j = i
        while j + 1 < n and _is_number(doc[j + 1]):
            j += 1
        if doc[i].lower_ in _SCALE and i == j:  # « cent » or « mille » alone is rarely a count
            i = j + 1
            continue
        end_tok = j
        nxt = doc[j + 1] if j + 1 < n else None
        if nxt is not None and nxt.lower_ in _UNIT | _PERCENT:
            end_tok = j + 1
        elif nxt is not None and nxt.lower_ == "pour" and j + 2 < n and doc[j + 2].lower_ == "cent":
            end_tok = j + 2
        head, noun_end = _counted_noun(doc, end_tok)
        lemma = "pourcent" if doc[end_tok].lower_ in _PERCENT | {"cent"} and end_tok > j else ""
        lemma = lemma or (head.lemma_.lower() if head is not None else "")
        start, stop = doc[i].idx, doc[end_tok].idx + len(doc[end_tok].text)
        dep = doc[j].dep_
        out.append(Mention(start, stop, "NUM", head_lemma=lemma, dep=dep))
        before = _approximation(doc, i)
        if before is not None:  # « environ 4,9 millions d'auditeurs », « plus de 50 % »
            noun_stop = doc[noun_end].idx + len(doc[noun_end].text)
            out.append(Mention(doc[before].idx, noun_stop, "NUM", head_lemma=lemma, dep=dep))
        if end_tok > j:  # the bare number too: « 50 » of « 50 % »
            out.append(Mention(start, doc[j].idx + len(doc[j].text), "NUM", head_lemma=lemma, dep=dep))
        if head is not None and noun_end > end_tok:
            out.append(Mention(start, doc[noun_end].idx + len(doc[noun_end].text), "NUM", lemma, dep))
        i = end_tok + 1
    return out


_APPROX = {("environ",), ("près", "de"), ("plus", "de"), ("moins", "de"), ("presque",), ("quelque",), ("au", "moins")}


def _approximation(doc, first: int) -> int | None:
    """The first token of an approximation word before a number (« environ », « plus de »)."""
    for words in _APPROX:
        k = first - len(words)
        if k >= 0 and tuple(t.lower_ for t in doc[k:first]) == words:
            return k
    return None


def _counted_noun(doc, last: int):
    """The noun counted by a number ending at token ``last``: the next noun (« 110 pays »),
    or the noun after « de » (« 41 millions d'euros »), with the token it ends at."""
    n = len(doc)
    k = last + 1
    if k < n and doc[k].pos_ in ("NOUN", "PROPN") and doc[k].lower_ not in _SCALE:
        return doc[k], k
    if k + 1 < n and doc[k].lower_ in ("de", "d'", "d’") and doc[k + 1].pos_ == "NOUN":
        return doc[k + 1], k + 1
    if doc[last].lower_ in _SCALE:
        return doc[last], last
    return None, last


def _trimmed(doc, first: int, last: int) -> tuple[int, int] | None:
    """Token range without leading prepositions or punctuation and trailing punctuation."""
    while first <= last and (doc[first].dep_ == "case" or doc[first].is_punct):
        first += 1
    while last >= first and (doc[last].is_punct or doc[last].is_space):
        last -= 1
    return (first, last) if first <= last else None


def _subtree_limit(tok) -> int:
    """Longest subtree kept under ``tok`` (in tokens), 0 when its subtree is no candidate."""
    dep = tok.dep_.split(":")[0]
    if dep in _SUBTREE_DEPS and tok.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
        return _MAX_SUBTREE
    if dep == "amod" and tok.pos_ == "ADJ":  # « britannique », « asymétrique »
        return _MAX_SUBTREE
    if dep in _CLAUSE_DEPS and tok.pos_ == "VERB":
        return _MAX_CLAUSE
    return 0


def find_mentions(doc) -> list[Mention]:
    """Every typed span of a parsed ``Doc``, in text order, without repeats; a SUBTREE
    never repeats another mention's span."""
    dates = date_mentions(doc)
    out = list(dates)
    out += number_mentions(doc, [(m.start, m.end) for m in dates])
    for ent in doc.ents:
        if ent.label_ in _ENTITY:
            out.append(Mention(ent.start_char, ent.end_char, ent.label_, ent.root.lemma_.lower(), ent.root.dep_))
    for chunk in doc.noun_chunks:
        bounds = _trimmed(doc, chunk.start, chunk.end - 1)
        # A chunk of an elided article or a relative pronoun alone (« l' », « qui ») is noise.
        if bounds is not None and any(t.pos_ not in ("DET", "ADP", "PRON") for t in doc[bounds[0] : bounds[1] + 1]):
            a, b = doc[bounds[0]], doc[bounds[1]]
            out.append(Mention(a.idx, b.idx + len(b.text), "CHUNK", chunk.root.lemma_.lower(), chunk.root.dep_))
    spans = {(m.start, m.end) for m in out}
    for tok in doc:
        longest = _subtree_limit(tok)
        if not longest:
            continue
        bounds = _trimmed(doc, tok.left_edge.i, tok.right_edge.i)
        if bounds is None or bounds[1] - bounds[0] + 1 > longest:
            continue
        a, b = doc[bounds[0]], doc[bounds[1]]
        span = (a.idx, b.idx + len(b.text))
        if span not in spans:
            spans.add(span)
            out.append(Mention(span[0], span[1], "SUBTREE", tok.lemma_.lower(), tok.dep_))
    unique = {(m.start, m.end, m.kind): m for m in out}
    return sorted(unique.values(), key=lambda m: (m.start, m.end, m.kind))
