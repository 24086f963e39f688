"""convqa: answers questions about news articles with the exact passages it relied on.

    >>> from convqa import ask, build_index
    >>> build_index()                 # corpus/ → .convqa/ (incremental)
    >>> answer = ask("Quel organisme dirige Ghada Waly ?")
    >>> answer.answer, answer.citations[0].quote

Importing convqa is light and changes nothing in the environment: heavy modules (torch,
Chroma) load on first use, and the entry points (``Assistant()``, ``build_index()``, the
CLI, the web app) set the offline variables (``convqa.offline``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from convqa.offline import go_offline
from convqa.settings import Settings

if TYPE_CHECKING:
    from convqa.answer.types import Answer, Citation
    from convqa.assistant import Assistant
    from convqa.index.builder import IndexReport, Progress

__all__ = ["Answer", "Assistant", "Citation", "IndexReport", "Settings", "ask", "build_index"]

_LAZY = {
    "Answer": ("convqa.answer.types", "Answer"),
    "Citation": ("convqa.answer.types", "Citation"),
    "Assistant": ("convqa.assistant", "Assistant"),
    "ask": ("convqa.assistant", "ask"),
    "IndexReport": ("convqa.index.builder", "IndexReport"),
}


def build_index(
    settings: Settings | None = None, *, full: bool = False, progress: "Progress | None" = None
) -> "IndexReport":
    """Sync the indexes with the corpus folder (settings from the environment by default).

    The one way to index: the CLI calls it too. The embedding model is loaded only when
    passages are to be embedded, so an unchanged corpus costs no model load. See
    ``convqa.index.builder.build_index``.
    """
    go_offline()
    # lazy: keeps Chroma and LangChain off `import convqa`
    from convqa.index.builder import build_index as sync

    return sync(settings or Settings(), full=full, progress=progress)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'convqa' has no attribute {name!r}")
