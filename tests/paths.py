"""Where the tests find the project's real corpus."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "corpus"
SEED_ID = "hanoi-convention-2025-10-25"
