"""What a user gets without CONVQA_MODEL: EmbeddingGemma-300M, chosen by measurement (the
suite itself runs on the bundled e5, see tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from convqa.model import gemma
from convqa.model.spec import spec_for
from convqa.pipeline import fusion_weights
from convqa.settings import BUNDLED_MODEL, DEFAULT_MODEL, Settings
from paths import ROOT, SEED_CORPUS


@pytest.mark.fast
def test_without_convqa_model_the_model_is_embeddinggemma_with_its_fitted_fusion(monkeypatch):
    monkeypatch.delenv("CONVQA_MODEL", raising=False)
    settings = Settings()
    assert settings.model == DEFAULT_MODEL == gemma.NAME
    spec = spec_for(settings)
    assert spec.loader == "installed" and spec.calibration.calibrated
    # Fitted on PIAF tune, its fusion weight is plain RRF's (weights up to 3 gained nothing on
    # dev), as the bundled model's; a setting overrides either.
    assert fusion_weights(settings, ["dense", "lexical"]) == [spec.dense_weight, 1.0] == [1.0, 1.0]
    assert fusion_weights(Settings(model=BUNDLED_MODEL), ["dense", "lexical"]) == [1.0, 1.0]
    assert fusion_weights(Settings(dense_weight=0.5), ["lexical", "dense"]) == [1.0, 0.5]
    # A question in another language than French: BM25 (French analysis) has a quarter of its
    # say with Gemma (fitted on English dev questions of tune), all of it with e5 (not fitted).
    assert fusion_weights(settings, ["dense", "lexical"], "en") == [1.0, spec.cross_lexical_weight] == [1.0, 0.25]
    assert fusion_weights(Settings(model=BUNDLED_MODEL), ["dense", "lexical"], "en") == [1.0, 1.0]
    assert fusion_weights(Settings(cross_lexical_weight=0.0), ["dense", "lexical"], "de") == [1.0, 0.0]
    assert fusion_weights(Settings(cross_lexical_weight=0.0), ["dense", "lexical"], "fr") == [1.0, 1.0]


@pytest.mark.parametrize("selected", [{}, {"CONVQA_MODEL": gemma.NAME}], ids=["by-default", "by-setting"])
def test_gemma_not_installed_is_one_line_naming_the_install(tmp_path, selected):
    # A user who installed the package without scripts/install.sh: nothing is written.
    done = subprocess.run(
        [sys.executable, "-m", "convqa.cli", "index", "--corpus", str(SEED_CORPUS), "--data-dir", str(tmp_path)],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path), **selected},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "convqa models install embeddinggemma-300m" in lines[0], done.stderr
    assert not (tmp_path / "models" / gemma.NAME).exists()
