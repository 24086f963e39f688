"""The browser interface: a Gradio chat with cited sources, "Add articles" and
"Articles" panels, in French or in English.

``build_app(settings, assistant=None)`` returns the Blocks; ``launch(settings)`` syncs the
index and serves it. Gradio is imported only when one of them is used.

Modules: ``handlers`` (answering, status), ``library`` (adding, listing, removing
articles), ``page`` (events and endpoints), ``chrome`` (the components and their words),
``i18n`` (the page's words in French and English; errors' words are in
``convqa.messages``), ``server`` (bind checks and launch),
``render`` (HTML of answers and reports), ``style`` (the stylesheet), ``context`` (a
passage in its article).
"""

from typing import Any

from convqa.offline import go_offline

# The web app is an entry point: Gradio and huggingface_hub read their analytics and
# offline variables when they are imported, which the modules of this package do.
go_offline()

__all__ = ["build_app", "launch"]
_HOME = {"build_app": "convqa.web.page", "launch": "convqa.web.server"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'convqa.web' has no attribute {name!r}")
