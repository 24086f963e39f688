"""The browser interface: a Gradio chat with cited sources and an "Add articles" panel.

``build_app(settings, assistant=None)`` returns the Blocks; ``launch(settings)`` syncs the
index and serves it. Gradio is imported only when one of them is used.
"""

from typing import Any

__all__ = ["build_app", "launch"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from convqa.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'convqa.web' has no attribute {name!r}")
