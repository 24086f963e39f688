"""The one table of ``convqa eval --models``: each model's figures, read from its run's
metrics (hand-built here: the runs themselves are measured by ``convqa eval``)."""

from __future__ import annotations

import pytest

from convqa.evaluation.compare import COMPARE_KEYS, _row, comparison_table
from convqa.evaluation.report import extra_lines

pytestmark = pytest.mark.fast


def _metrics(hit5: float, p50: float, english_hit5: float | None) -> dict:
    test = {"evidence_hit@5": hit5, "quote_hit@1": 0.5, "latency_ms_p50": p50, "latency_ms_p95": 2 * p50}
    metrics = {
        "splits": {"test": test, "tune": {"evidence_hit@5": 0.0}},
        "held_out_articles": {"abstain_rate": 0.6, "n_questions": 10, "split": "test"},
        "near_miss": {"abstain_rate": 0.3, "n_questions": 10, "split": "test"},
        "index_seconds": 12.0,
    }
    if english_hit5 is not None:
        metrics["english"] = {
            "evidence_hit@5": english_hit5,
            "quote_hit@1": 0.25,
            "answer_contains": 0.5,
            "abstain_rate": 0.0,
            "n_questions": 4,
            "split": "test",
        }
    return metrics


def test_a_row_takes_the_test_split_abstention_and_english_figures():
    row = _row(_metrics(0.9, 50.0, 0.75), first_floor=25.0)

    assert set(row) == set(COMPARE_KEYS)
    assert row["evidence_hit@5"] == 0.9  # the test split's, not the tune split's
    assert row["held_out_abstain_rate"] == 0.6 and row["near_miss_abstain_rate"] == 0.3
    assert row["english_evidence_hit@5"] == 0.75 and row["english_quote_hit@1"] == 0.25
    assert row["p50_over_first_floor"] == 2.0 and row["p95_over_first_floor"] == 4.0
    assert row["index_seconds"] == 12.0


def test_a_run_without_english_questions_shows_a_dash():
    result = {"models": {"a": _row(_metrics(0.9, 50.0, None), 25.0), "b": _row(_metrics(0.95, 150.0, 0.8), 25.0)}}
    lines = {line.split()[0]: line.split()[1:] for line in comparison_table(result).splitlines()[2:]}

    assert lines["english_evidence_hit@5"] == ["—", "0.800"]
    assert lines["p50_over_first_floor"] == ["2.000", "6.000"]


def test_the_report_names_the_english_questions_figures():
    lines = extra_lines(_metrics(0.9, 50.0, 0.75))

    assert any(line.startswith("English questions (4, same index): evidence_hit@5 0.750") for line in lines)
    assert not any(line.startswith("English") for line in extra_lines(_metrics(0.9, 50.0, None)))
