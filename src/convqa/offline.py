"""The environment that keeps convqa offline, set by its entry points.

Importing convqa changes no environment variable. The entry points (the CLI, the web app,
``Assistant()``, ``convqa.build_index()``) call ``go_offline()`` before any model or web
library is imported: Hugging Face libraries read these variables when they are imported,
and without ``HF_HUB_OFFLINE=1`` a missing file is first looked up on the hub for 70-80 s.
A value already set by the operator wins.
"""

from __future__ import annotations

import os

#: Never reach a model hub, never send telemetry, no per-load progress bars.
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}


def go_offline() -> None:
    """Set the offline variables that are not set already."""
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
