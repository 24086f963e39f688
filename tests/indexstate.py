"""What an index holds, read in a subprocess without the model: for tests that compare runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_READ = """
import json
from convqa.settings import Settings
from convqa.index.catalog import open_collection, read_lexical, stored_chunks
settings = Settings()
collection = open_collection(settings)
fingerprint, metadatas = read_lexical(settings)
print(json.dumps({
    "ids": sorted(stored_chunks(collection)),
    "revision": (collection.metadata or {}).get("convqa_revision") if collection is not None else None,
    "lexical": fingerprint,
    "lexical_docs": sorted(str(m.get("doc_id")) for m in metadatas),
}))
"""


def cli_env(**settings: str) -> dict[str, str]:
    """The test's environment without any CONVQA_* of the caller, plus ``settings`` (CONVQA_<NAME>)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_")}
    env["CONVQA_MODEL"] = os.environ["CONVQA_MODEL"]  # the suite's model (tests/conftest.py)
    return env | {"HF_HUB_OFFLINE": "1"} | {f"CONVQA_{k.upper()}": v for k, v in settings.items()}


def run_cli(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    """``convqa ARGS`` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "convqa.cli", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def index_state(env: dict[str, str]) -> dict:
    """Stored chunk ids (sorted), the store's revision mark, the lexical index's fingerprint and article ids."""
    out = subprocess.run([sys.executable, "-c", _READ], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_line_error(stderr: str) -> str:
    """The single line a failing command printed (asserting there is exactly one, and no traceback)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    return lines[0]
