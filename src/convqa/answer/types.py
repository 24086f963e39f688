"""The typed result of a question: an answer and the citations it rests on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Citation:
    """One numbered source: a passage of an article and the sentence quoted from it.

    ``text == article.text[start:end]`` and ``quote == article.text[quote_start:quote_end]``.
    """

    n: int
    doc_id: str
    title: str
    source: str
    text: str
    start: int
    end: int
    quote: str
    quote_start: int
    quote_end: int
    score: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Citation":
        """A Citation from its ``to_dict`` shape (JSON history); unknown keys are ignored."""
        return cls(
            n=int(data.get("n", 0)),
            doc_id=str(data.get("doc_id", "")),
            title=str(data.get("title", "")),
            source=str(data.get("source", "")),
            text=str(data.get("text", "")),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            quote=str(data.get("quote", "")),
            quote_start=int(data.get("quote_start", 0)),
            quote_end=int(data.get("quote_end", 0)),
            score=float(data.get("score", 0.0)),
        )


@dataclass
class ShortAnswer:
    """The fact itself: ``article.text[start:end] == text`` in article ``doc_id``."""

    text: str
    doc_id: str
    start: int
    end: int
    #: Which citation's quoted sentence holds the span.
    n: int = 1

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ShortAnswer":
        """A ShortAnswer from its JSON shape."""
        return cls(
            str(data.get("text", "")),
            str(data.get("doc_id", "")),
            int(data.get("start", 0)),
            int(data.get("end", 0)),
            int(data.get("n", 1)),
        )


@dataclass
class Answer:
    """The answer to one question."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    language: str = "fr"
    #: "extractive", or the chat model's generator ("openai", "ollama", "llamacpp") when its
    #: answer passed the citation check.
    generator: str = "extractive"
    #: Why a configured model's answer was not used (None when it was, or none is configured).
    fallback_reason: str | None = None
    #: The span that answers, when the reader is confident (None otherwise).
    short: ShortAnswer | None = None

    def to_dict(self) -> dict:
        """JSON-ready dictionary (the ``convqa ask --json`` shape)."""
        data = asdict(self)
        # Scores and flags can be numpy scalars: make them plain JSON values.
        data["abstained"] = bool(data["abstained"])
        data["timings"] = {k: float(v) for k, v in data["timings"].items()}
        for citation in data["citations"]:
            citation["score"] = float(citation["score"])
            for key in ("n", "start", "end", "quote_start", "quote_end"):
                citation[key] = int(citation[key])
        if data["short"] is not None:
            for key in ("start", "end", "n"):
                data["short"][key] = int(data["short"][key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Answer":
        """An Answer from its ``to_dict`` shape (for conversation history sent as JSON)."""
        short = data.get("short")
        return cls(
            question=str(data.get("question", "")),
            answer=str(data.get("answer", "")),
            abstained=bool(data.get("abstained", False)),
            citations=[Citation.from_dict(c) for c in data.get("citations") or [] if isinstance(c, dict)],
            timings={str(k): float(v) for k, v in (data.get("timings") or {}).items()},
            language=str(data.get("language", "fr")),
            generator=str(data.get("generator", "extractive")),
            fallback_reason=data.get("fallback_reason"),
            short=ShortAnswer.from_dict(short) if isinstance(short, dict) else None,
        )
