"""What an index run did (``IndexReport``), and the one line that says it, in articles
first and passages in brackets: "1 article added (4 passages) · 3 unchanged — 4 articles
(31 passages) in 1.2 s".

The CLI's ``index``, ``add`` and ``remove``, the server's start and the page's reports
all say a run this way, in the catalogue's words (convqa.messages: ``index_*``). It reads
an index report's dict (``IndexReport.to_dict()``, or the JSON the web API sent), so a
page can say a report it received in its own language. Pure Python: no store, no model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from convqa.messages import Message


@dataclass
class IndexReport:
    """What one index run did (chunk counts) and the size of the result."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0
    # In articles (convqa.index.changes), with the passages each kind embedded or removed.
    articles_added: int = 0
    articles_updated: int = 0
    articles_deleted: int = 0
    articles_unchanged: int = 0
    passages_added: int = 0
    passages_updated: int = 0
    passages_deleted: int = 0
    warnings: list[str] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return asdict(self)

    def summary(self, lang: str = "en") -> str:
        """The one line of ``index_summary``."""
        return index_summary(self.to_dict(), lang)


def _count(index: Mapping[str, Any], key: str) -> int:
    return int(index.get(key) or 0)


def index_summary(index: Mapping[str, Any], lang: str = "en") -> str:
    """What an index run changed, then what the index holds, in ``lang`` (English by default).

    The passages in brackets are those the articles brought: embedded for the added and
    updated ones, removed with the removed ones.
    """
    parts = []
    for code, kind in (("index_added", "added"), ("index_updated", "updated"), ("index_removed", "deleted")):
        n = _count(index, f"articles_{kind}")
        if n:
            passages = Message("index_passages", n=_count(index, f"passages_{kind}")).say(lang)
            parts.append(f"{Message(code, n=n).say(lang)} {passages}")
    unchanged = _count(index, "articles_unchanged")
    if unchanged:
        parts.append(Message("index_unchanged", n=unchanged).say(lang))
    totals = Message(
        "index_totals",
        docs=_count(index, "documents"),
        chunks=_count(index, "chunks"),
        seconds=float(index.get("seconds") or 0.0),
    ).say(lang)
    return f"{' · '.join(parts) or Message('index_no_change').say(lang)} — {totals}"
