"""Present evaluation metrics: a terminal table, metrics.json, report.md and a PNG chart."""

from __future__ import annotations

import json
import operator
from pathlib import Path

from convqa.evaluation.dataset import SPLITS
from convqa.evaluation.metrics import INDEX_KEYS, METRIC_KEYS

#: The project's goals: (metric, comparison, threshold).
#: Checked on the ``test`` split (never trained or tuned on) when the run has one.
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("evidence_hit@1", ">=", 0.78),
    ("evidence_hit@5", ">=", 0.909),  # not lower than before the reader
    ("passage_words_mean", "<=", 150),
    ("quote_hit@1", ">=", 0.66),
    ("answer_contains", ">=", 0.70),
    ("answer_words_mean", "<=", 40),
    ("short_em", ">=", 0.35),
    ("short_f1", ">=", 0.50),
    ("latency_floor_ratio", "<=", 10.0),
    ("index_encode_ratio", "<=", 2.5),
)
_OPS = {">=": operator.ge, "<=": operator.le}
CHART_KEYS = (
    "evidence_hit@1",
    "evidence_hit@3",
    "evidence_hit@5",
    "evidence_hit@10",
    "mrr@10",
    "quote_hit@1",
    "quote_hit@3",
    "answer_contains",
)
SYSTEM = "convqa"


def check_targets(metrics: dict) -> list[dict]:
    """Each target with the measured value and whether it is met (None: not measured)."""
    out = []
    test = metrics.get("splits", {}).get("test") or {}
    for key, op, goal in TARGETS:
        value = test.get(key, metrics.get(key)) if key not in INDEX_KEYS else metrics.get(key)
        out.append(
            {
                "metric": key,
                "target": f"{op} {goal}",
                "value": value,
                "met": None if value is None else bool(_OPS[op](value, goal)),
            }
        )
    return out


def columns(metrics: dict) -> dict[str, dict]:
    """Column name → metrics dict, in table order: the system, its splits, the baselines."""
    cols = {SYSTEM: metrics}
    cols |= {f"{SYSTEM}:{s}": metrics.get("splits", {}).get(s, {}) for s in SPLITS}
    cols |= dict(metrics.get("baselines", {}))
    return cols


def _fmt(key: str, value) -> str:
    if value is None:
        return "—"
    if (
        key.endswith("_mb")
        or "_ms_" in key
        or key.endswith("_ms_p50")
        or key.endswith("_ms_p95")
        or key.startswith("floor_ms")
        or key.endswith("words_mean")
    ):
        return f"{value:.1f}"
    if key.endswith("per_second"):
        return f"{value:.0f}"
    if key.endswith("seconds"):
        return f"{value:.1f}"
    if key.endswith("ratio"):
        return f"{value:.2f}"
    return f"{value:.3f}"


def _rows(metrics: dict) -> tuple[list[str], list[list[str]]]:
    cols = columns(metrics)
    header = ["metric", *cols]
    # Only the splits are subsets; every other column covers all the questions.
    rows = [["questions", *(str(c.get("n_questions", metrics["config"]["n_questions"])) for c in cols.values())]]
    for key in METRIC_KEYS:
        rows.append(
            [key, *("" if key in INDEX_KEYS and ":" in name else _fmt(key, col.get(key)) for name, col in cols.items())]
        )
    return header, rows


def table(metrics: dict) -> str:
    """The metrics as a fixed-width terminal table, followed by the targets."""
    header, rows = _rows(metrics)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    out = [line(header), "  ".join("-" * w for w in widths), *map(line, rows), ""]
    for t in check_targets(metrics):
        mark = {True: "ok  ", False: "MISS", None: "n/a "}[t["met"]]
        out.append(f"{mark} {t['metric']} {t['target']}: {_fmt(t['metric'], t['value'])}")
    if metrics.get("cpu_time"):
        out.append(cpu_line(metrics["cpu_time"]))
    out += extra_lines(metrics)
    config = metrics["config"]
    out.append(
        f"\n{config['n_questions']} questions over {config['n_articles']} articles, {config['chunks']} chunks, "
        f"k={config['k']}, {config['wall_seconds']:.0f} s"
    )
    return "\n".join(out)


VARIANT_KEYS = (
    "evidence_hit@1",
    "quote_hit@1",
    "answer_contains",
    "answer_words_mean",
    "short_coverage",
    "short_precision",
    "short_em_e2e",
    "short_f1_e2e",
    "abstain_rate",
    "latency_floor_ratio",
    "answer_step_ms_p50",
    "answer_step_ms_p95",
)


def extra_lines(metrics: dict) -> list[str]:
    """Held-out abstention and the answer-step variants, when the run measured them."""
    out = []
    held = metrics.get("held_out_articles")
    if held:
        out.append(
            f"held-out articles ({held['split']}, {held['n_questions']} questions): abstained on "
            f"{held['abstain_rate']:.3f}; ordinary {held['split']} questions: "
            f"{metrics.get('splits', {}).get(held['split'], {}).get('abstain_rate')}"
        )
    near = metrics.get("near_miss")
    if near:
        out.append(
            f"near misses ({near['split']}, {near['n_questions']} questions, own paragraph left out): "
            f"abstained on {near['abstain_rate']:.3f}"
        )
    english = metrics.get("english")
    if english:
        figures = ", ".join(
            f"{key} {_fmt(key, english.get(key))}"
            for key in ("evidence_hit@5", "quote_hit@1", "answer_contains", "abstain_rate")
        )
        out.append(f"English questions ({english['n_questions']}, same index): {figures}")
    curve = metrics.get("short_curve")
    if curve:
        points = ", ".join(
            f"{p['threshold']:.2f}: {p['coverage']:.2f}/{_fmt('ratio', p['precision'])}" for p in curve[::2]
        )
        out.append(f"short answer, threshold: coverage/precision: {points}")
    variants = metrics.get("variants") or {}
    if variants:
        out.append("\nanswer steps on the test split (same index and retrieval):")
        out.append("| variant | " + " | ".join(VARIANT_KEYS) + " |")
        out.append("|" + "---|" * (len(VARIANT_KEYS) + 1))
        for name, v in variants.items():
            out.append(f"| {name} | " + " | ".join(_fmt(k, v.get(k)) for k in VARIANT_KEYS) + " |")
    return out


def cpu_line(cpu: dict) -> str:
    """The speed ratios in CPU time, which load from other jobs disturbs less than wall time."""
    return (
        f"CPU time: ask p50 {cpu['ask_ms_p50']:.0f} ms vs floor {cpu['floor_ms_p50']:.0f} ms "
        f"(ratio {_fmt('ratio', cpu['latency_floor_ratio'])}); index {cpu['index_seconds']:.1f} s vs encode "
        f"{cpu['encode_seconds']:.1f} s (ratio {_fmt('ratio', cpu['index_encode_ratio'])})"
    )


def markdown(metrics: dict, chart: str | None) -> str:
    """report.md: the table, the targets and the configuration."""
    header, rows = _rows(metrics)
    config = metrics["config"]
    lines = [
        "# convqa evaluation",
        "",
        f"Dataset `{config['dataset']}`: {config['n_questions']} questions over {config['n_articles']} articles "
        f"({', '.join(f'{s}: {n}' for s, n in config['split_questions'].items())} questions), "
        f"{config['chunks']} chunks, {config['k']} citations per answer; run took {config['wall_seconds']:.0f} s.",
        "",
        "A hit is a citation from the gold article whose character range covers the whole gold answer "
        "range; `quote_hit` applies the same test to the quoted sentence. Baselines only retrieve: their "
        "answer and quote metrics are null. Latency figures depend on the machine's load; the ratios "
        "compare with floors measured in the same run.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
        "## Targets",
        "",
        "| metric | target | value | met |",
        "|---|---|---|---|",
        *(
            f"| {t['metric']} | {t['target']} | {_fmt(t['metric'], t['value'])} | "
            f"{ {True: 'yes', False: '**no**', None: 'n/a'}[t['met']] } |"
            for t in check_targets(metrics)
        ),
        "",
    ]
    if metrics.get("cpu_time"):
        lines += [cpu_line(metrics["cpu_time"]) + ".", ""]
    lines += [*extra_lines(metrics), ""]
    if chart:
        lines += [f"![metrics per system]({chart})", ""]
    lines += [
        "## Configuration",
        "",
        "```json",
        json.dumps(config, ensure_ascii=False, indent=2, default=str),
        "```",
        "",
    ]
    return "\n".join(lines)


def chart(metrics: dict, path: Path) -> None:
    """Grouped bars: each quality metric for the system and each baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = {SYSTEM: metrics} | dict(metrics.get("baselines", {}))
    fig, ax = plt.subplots(figsize=(11, 4.8), dpi=110)
    width = 0.8 / len(systems)
    for i, (name, values) in enumerate(systems.items()):
        xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(CHART_KEYS))]
        ys = [values.get(key) or 0.0 for key in CHART_KEYS]
        bars = ax.bar(xs, ys, width, label=name)
        for x, key in zip(xs, CHART_KEYS):
            if values.get(key) is None:
                ax.text(
                    x, 0.01, "n/a", ha="center", va="bottom", fontsize=6, rotation=90, color=bars[0].get_facecolor()
                )
    ax.set_xticks(range(len(CHART_KEYS)), CHART_KEYS, rotation=20)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of questions")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(ncols=len(systems), loc="upper center", bbox_to_anchor=(0.5, 1.12), frameon=False)
    n = metrics["config"]["n_questions"]
    ax.set_title(f"{n} questions, k={metrics['config']['k']}", fontsize=9, loc="right", pad=24)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_reports(metrics: dict, out_dir: Path) -> None:
    """metrics.json, report.md and metrics.png in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics["targets"] = check_targets(metrics)
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    chart(metrics, out_dir / "metrics.png")
    (out_dir / "report.md").write_text(markdown(metrics, "metrics.png"), encoding="utf-8")
