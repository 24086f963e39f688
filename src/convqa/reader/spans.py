"""From (question, sentence) pairs to model inputs, and from logits to answer spans.

A candidate is one sentence of a retrieved passage. The model reads the question and the
sentence together; its start/end logits over the sentence's tokens give the best span,
and the first token's logits give the "no answer in this sentence" score. The margin
between the two is how strongly this sentence answers: candidates are ranked by it, and
the best margin, calibrated, is the probability that the question is answerable at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Encoded:
    """A batch of tokenized pairs with what is needed to map tokens back to characters."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    #: (start, end) character offsets of each token in its sentence; (0, 0) outside it.
    offsets: list[list[tuple[int, int]]]
    #: For each row, the token positions that belong to the sentence.
    sentence_tokens: list[list[int]]


def encode_pairs(tokenizer, question: str, sentences: list[str], max_length: int) -> Encoded:
    """Tokenize ``question`` against each sentence (the sentence is truncated if needed)."""
    enc = tokenizer(
        [question] * len(sentences),
        sentences,
        truncation="only_second",
        max_length=max_length,
        padding=True,
        return_offsets_mapping=True,
        return_tensors="pt",
    )
    offsets, positions = [], []
    for row in range(len(sentences)):
        ids = enc.sequence_ids(row)
        mapping = enc["offset_mapping"][row].tolist()
        positions.append([i for i, s in enumerate(ids) if s == 1])
        offsets.append([tuple(m) if ids[i] == 1 else (0, 0) for i, m in enumerate(mapping)])
    return Encoded(enc["input_ids"], enc["attention_mask"], offsets, positions)


def token_span(encoded: Encoded, row: int, start: int, end: int) -> tuple[int, int] | None:
    """Token positions (first, last) covering characters [start, end) of the row's sentence."""
    tokens = encoded.sentence_tokens[row]
    offsets = encoded.offsets[row]
    first = next((t for t in tokens if offsets[t][1] > start), None)
    last = next((t for t in reversed(tokens) if offsets[t][0] < end), None)
    if first is None or last is None or last < first:
        return None
    return first, last


@dataclass(frozen=True)
class SpanScore:
    """The best span of one candidate: character range in the sentence and its margin."""

    start: int
    end: int
    margin: float


def best_spans(
    encoded: Encoded, start_logits: torch.Tensor, end_logits: torch.Tensor, sentences: list[str], max_tokens: int
) -> list[SpanScore]:
    """For each row, the best (start <= end, at most ``max_tokens`` long) span inside the
    sentence, and its margin over the no-answer score."""
    out = []
    for row, sentence in enumerate(sentences):
        tokens = encoded.sentence_tokens[row]
        null = float(start_logits[row, 0] + end_logits[row, 0])
        if not tokens:
            out.append(SpanScore(0, len(sentence), -1e9))
            continue
        s = start_logits[row, tokens]
        e = end_logits[row, tokens]
        # scores[i, j] = s[i] + e[j] for i <= j < i + max_tokens
        scores = s[:, None] + e[None, :]
        n = len(tokens)
        idx = torch.arange(n)
        allowed = (idx[None, :] >= idx[:, None]) & (idx[None, :] < idx[:, None] + max_tokens)
        scores = scores.masked_fill(~allowed, float("-inf"))
        flat = int(torch.argmax(scores))
        i, j = divmod(flat, n)
        char_start = encoded.offsets[row][tokens[i]][0]
        char_end = encoded.offsets[row][tokens[j]][1]
        # Token offsets can include the space before a word: trim to the words themselves,
        # then widen to whole words (a span never starts or ends inside "1802" or "ONUDC").
        while char_start < char_end and sentence[char_start].isspace():
            char_start += 1
        while char_end > char_start and sentence[char_end - 1].isspace():
            char_end -= 1
        while char_start > 0 and sentence[char_start - 1].isalnum() and sentence[char_start].isalnum():
            char_start -= 1
        while char_end < len(sentence) and sentence[char_end].isalnum() and sentence[char_end - 1].isalnum():
            char_end += 1
        out.append(SpanScore(char_start, char_end, float(scores[i, j]) - null))
    return out
