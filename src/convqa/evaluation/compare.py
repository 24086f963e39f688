"""Several embedding models measured in one run, side by side in one table.

Each model gets the whole evaluation (convqa.evaluation.run) with the same settings but
``model``, one after the other on the same machine, so that their speeds are comparable:
each model's ask latency is also given against the first model's floor (the issue's rule
for a new default: ask p50 at most 6× the e5 floor measured in the same run).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from convqa.evaluation.report import _fmt
from convqa.evaluation.run import run_eval
from convqa.model.spec import spec_for
from convqa.settings import Settings

#: The rows of the comparison table.
COMPARE_KEYS = (
    "evidence_hit@1",
    "evidence_hit@5",
    "mrr@10",
    "quote_hit@1",
    "answer_contains",
    "abstain_rate",
    "held_out_abstain_rate",
    "near_miss_abstain_rate",
    "english_evidence_hit@5",
    "english_quote_hit@1",
    "english_answer_contains",
    "latency_ms_p50",
    "latency_ms_p95",
    "floor_ms_p50",
    "latency_floor_ratio",
    "p50_over_first_floor",
    "p95_over_first_floor",
    "index_seconds",
    "encode_seconds",
    "index_encode_ratio",
    "peak_rss_mb",
    "store_mb",
    "model_mb",
)


def _row(metrics: dict, first_floor: float | None) -> dict:
    """A model's figures for the table (the test split's when the run has one)."""
    questions = metrics.get("splits", {}).get("test") or metrics
    row = {key: questions.get(key, metrics.get(key)) for key in COMPARE_KEYS}
    row["held_out_abstain_rate"] = (metrics.get("held_out_articles") or {}).get("abstain_rate")
    row["near_miss_abstain_rate"] = (metrics.get("near_miss") or {}).get("abstain_rate")
    for key in ("evidence_hit@5", "quote_hit@1", "answer_contains"):
        row[f"english_{key}"] = (metrics.get("english") or {}).get(key)
    for name, key in (("p50_over_first_floor", "latency_ms_p50"), ("p95_over_first_floor", "latency_ms_p95")):
        value = questions.get(key)
        row[name] = round(value / first_floor, 2) if value is not None and first_floor else None
    return row


def compare_models(models: list[str], dataset: Path, out_dir: Path, *, settings: Settings, **options) -> dict:
    """Run the evaluation once per model (reports in ``out_dir/<model>/``) and return
    ``{"models": {model: row}, "runs": {model: metrics}}``. Every model is checked to be
    ready before the first run starts (a missing one: one line naming its install).

    The LangChain tutorial baseline is left out: it is not in the table, and building it
    is a second full encoding of the corpus per model."""
    chosen = [settings.model_copy(update={"model": name}) for name in models]
    for each in chosen:
        spec_for(each).path(each.data_dir)  # ConvqaError model_not_installed, before any work
    runs = {}
    for each in chosen:
        print(f"== {each.model}", file=sys.stderr)
        runs[each.model] = run_eval(
            dataset, out_dir / each.model.replace("/", "_"), settings=each, langchain_baseline=False, **options
        )
    first = runs[models[0]]
    floor = (first.get("splits", {}).get("test") or first).get("floor_ms_p50")
    result = {"models": {name: _row(metrics, floor) for name, metrics in runs.items()}, "runs": runs}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "models.json").write_text(json.dumps(result["models"], indent=2) + "\n", encoding="utf-8")
    return result


def comparison_table(result: dict) -> str:
    """One fixed-width table: a row per figure, a column per model."""
    models = list(result["models"])
    rows = [[key] + [_fmt(key, result["models"][m].get(key)) for m in models] for key in COMPARE_KEYS]
    header = ["", *models]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])
