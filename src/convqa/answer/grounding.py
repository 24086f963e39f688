"""The citation check of a generated answer: every [n] it writes must be a passage given.

An answer is kept only when it cites at least one passage and invents none; anything else
raises GenerationError, whose message is the short reason shown with the extractive answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from convqa.errors import ConvqaError

# "[2]", "[1, 3]", "[1][2]" (the last is two groups).
_CITATION_GROUP = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")


class GenerationError(ConvqaError):
    """The model could not give a usable answer; the message is the short reason shown to users."""


@dataclass(frozen=True)
class CitationCheck:
    """The [n] markers of a generated text, split into passages given and invented ones."""

    valid: tuple[int, ...]
    invalid: tuple[int, ...]

    @property
    def ok(self) -> bool:
        """At least one valid citation and no invented one."""
        return bool(self.valid) and not self.invalid


def check_citations(text: str, passages: int) -> CitationCheck:
    """Which [n] in ``text`` refer to one of the ``passages`` given (numbered 1..passages)."""
    valid: list[int] = []
    invalid: list[int] = []
    for group in _CITATION_GROUP.finditer(text):
        for number in re.split(r"\s*[,;]\s*", group.group(1).strip()):
            n = int(number)
            target = valid if 1 <= n <= passages else invalid
            if n not in target:
                target.append(n)
    return CitationCheck(tuple(valid), tuple(invalid))


def normalize_citations(text: str) -> str:
    """``[1, 2]`` written as ``[1][2]``, the form the interfaces render."""
    return _CITATION_GROUP.sub(
        lambda m: "".join(f"[{int(n)}]" for n in re.split(r"\s*[,;]\s*", m.group(1).strip())), text
    )


def accept(text: str, passages: int) -> str:
    """The generated answer, cleaned, when its citations hold; GenerationError otherwise."""
    text = normalize_citations(text.strip())
    if not text:
        raise GenerationError("llm_empty")
    check = check_citations(text, passages)
    if check.invalid:
        cited = ", ".join(f"[{n}]" for n in check.invalid)
        raise GenerationError("llm_bad_citation", cited=cited, passages=passages)
    if not check.valid:
        raise GenerationError("llm_no_citation")
    return text
