"""The soak run, shortened: 16 gradio_client users for 60 s while articles are added and
removed (scripts/soak.py). Deselect locally with ``-m 'not soak'``; scripts/test.sh runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from paths import ROOT

pytestmark = [pytest.mark.soak, pytest.mark.slow]

PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"


def test_sixty_seconds_of_sixteen_users_while_articles_come_and_go(tmp_path):
    out = tmp_path / "soak.json"
    synthetic = "50" if PIAF.exists() else "0"  # other articles around the seed: recombined PIAF text
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "soak.py"),
            "--users",
            "16",
            "--duration",
            "60",
            "--synthetic",
            synthetic,
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.exists(), run.stdout + run.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert figures["failed"] == 0 and figures["failures"] == [], figures
    assert figures["requests"] >= 16  # every user got answers, each citation checked at its offsets
    assert figures["wrong_answers"] == 0, figures["wrong"]  # and each answer holds its fact
    assert figures["articles_added"] >= 1 and figures["articles_removed"] >= 1
    # Memory stays bounded: well under the 3 GB a 100,000-passage app is allowed.
    assert figures["rss_end_mb"] < 3000, figures
