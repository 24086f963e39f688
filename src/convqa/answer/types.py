"""The typed result of a question: an answer and the citations it rests on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
        return data
