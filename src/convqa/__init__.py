"""convqa: answers questions about news articles with the exact passages it relied on.

    >>> from convqa import ask, build_index
    >>> build_index()                 # corpus/ → .convqa/ (incremental)
    >>> answer = ask("Quel organisme dirige Ghada Waly ?")
    >>> answer.answer, answer.citations[0].quote

Heavy modules (torch, Chroma) load on first use, so importing convqa stays fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# Offline by design: never reach a model hub, never send telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from convqa.settings import Settings  # noqa: E402  (light: pydantic only)

if TYPE_CHECKING:
    from convqa.answer.types import Answer, Citation
    from convqa.assistant import Assistant
    from convqa.index.builder import IndexReport

__all__ = ["Answer", "Assistant", "Citation", "IndexReport", "Settings", "ask", "build_index"]

_LAZY = {
    "Answer": ("convqa.answer.types", "Answer"),
    "Citation": ("convqa.answer.types", "Citation"),
    "Assistant": ("convqa.assistant", "Assistant"),
    "ask": ("convqa.assistant", "ask"),
    "IndexReport": ("convqa.index.builder", "IndexReport"),
}


def build_index(settings: Settings | None = None, *, full: bool = False, progress: Any = None) -> "IndexReport":
    """Sync the indexes with the corpus folder; see convqa.index.builder.build_index."""
    from convqa.assistant import default_assistant
    from convqa.index.builder import build_index as _build

    if settings is None:
        return default_assistant().index(full=full, progress=progress)
    return _build(settings, full=full, progress=progress)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'convqa' has no attribute {name!r}")
