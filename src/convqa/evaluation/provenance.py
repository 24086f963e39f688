"""What an evaluation records about itself: the settings that shape its results and the code's commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

#: Settings that shape the results (host, port, auth... do not).
CONFIG_SETTINGS = (
    "model",
    "embed_titles",
    "chunk_max_words",
    "chunk_min_words",
    "top_k",
    "candidates",
    "rrf_k",
    "max_question_chars",
    "retrievers",
    "answerer",
    "reader_dir",
    "reader_precision",
    "reader_abstain_below",
    "reader_short_above",
    "answerer_dir",
    "cite_min_relevance",
    "generator",
    "llm_model",
)


def code_version() -> dict:
    """The git commit of the evaluated code and whether the work tree differs from it."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if commit.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
