"""Reports of an evaluation: markdown tables, charts, failures and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from lib.dataset import Row
from lib.scoring import METRICS, family_difference_interval

LABELS = {
    "format_strict": "Format (strict)", "format_lenient": "Format (lenient)", "tool_selection": "Tool selection",
    "args_exact": "Arguments exact", "date_accuracy": "Date accuracy", "irrelevance": "No call when none is due",
    "execution": "Execution (end state)",
}


def _pct(m: dict[str, Any]) -> str:
    return "n/a" if not m["n"] else f"{100 * m['rate']:.1f}%"


def comparison_table(report: dict[str, Any], baseline: str = "base", candidate: str = "tuned") -> str:
    """Markdown: metric | each system (rate [95% CI], k/n) | improvement (candidate - baseline)."""
    systems = list(report["systems"])
    head = "| Metric | " + " | ".join(systems) + (" | Improvement |" if {baseline, candidate} <= set(systems) else " |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for metric in METRICS:
        cells = []
        for s in systems:
            m = report["systems"][s]["overall"][metric]
            cells.append("n/a" if not m["n"] else
                         f"{_pct(m)} [{100 * m['ci_low']:.0f}–{100 * m['ci_high']:.0f}] ({m['k']}/{m['n']})")
        line = f"| {LABELS[metric]} | " + " | ".join(cells) + " |"
        if {baseline, candidate} <= set(systems):
            a, b = report["systems"][baseline]["overall"][metric], report["systems"][candidate]["overall"][metric]
            line += f" {100 * (b['rate'] - a['rate']):+.1f} pts{_difference(report, baseline, candidate, metric)} |" \
                if a["n"] else " n/a |"
        lines.append(line)
    speed = " | ".join(f"{report['systems'][s]['stats']['tokens_per_s']:.1f} tok/s, "
                       f"{report['systems'][s]['stats']['latency_per_prompt_s']:.2f} s/prompt" for s in systems)
    lines.append(f"| Speed | {speed} |" + (" |" if {baseline, candidate} <= set(systems) else ""))
    return "\n".join(lines)


def _difference(report: dict[str, Any], baseline: str, candidate: str, metric: str) -> str:
    """' [low, high]': the improvement's 95% interval over phrasing families, where both systems
    were scored on the same rows and the scores are in memory (not in a saved report.json)."""
    a, b, families = report["systems"][baseline].get("scored"), report["systems"][candidate].get("scored"), \
        report.get("families")
    if not (a and b and families) or not len(a) == len(b) == len(families):
        return ""
    low, high = family_difference_interval([s.get(metric) for s in a], [s.get(metric) for s in b], families)
    return "" if low != low else f" [{100 * low:+.0f}, {100 * high:+.0f}]"


def family_table(report: dict[str, Any], system: str = "tuned") -> str:
    """Markdown: each metric's rate with its interval over rows (Wilson) and over phrasing families."""
    if system not in report["systems"]:
        return ""
    lines = [f"| Metric ({system}) | rate | 95% over rows | 95% over families | families |", "|---|---|---|---|---|"]
    for metric in METRICS:
        m = report["systems"][system]["overall"][metric]
        if not m["n"] or "families" not in m:
            continue
        lines.append(f"| {LABELS[metric]} | {_pct(m)} | {100 * m['ci_low']:.0f}–{100 * m['ci_high']:.0f} | "
                     f"{100 * m['family_ci_low']:.0f}–{100 * m['family_ci_high']:.0f} | {m['families']} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def _categories(report: dict[str, Any]) -> list[str]:
    return sorted({c for r in report["systems"].values() for c in r["by_category"]})


def _cat(report: dict[str, Any], system: str, category: str, metric: str) -> dict[str, Any]:
    """A category's metric; n=0 where a limited system (base+grammar) saw none of its rows."""
    empty = {"k": 0, "n": 0, "rate": float("nan"), "ci_low": float("nan"), "ci_high": float("nan")}
    return report["systems"][system]["by_category"].get(category, {}).get(metric, empty)


def category_table(report: dict[str, Any], metric: str = "execution") -> str:
    systems = list(report["systems"])
    lines = [f"| Category ({LABELS[metric]}) | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for c in _categories(report):
        lines.append(f"| {c} | " + " | ".join(_pct(_cat(report, s, c, metric)) for s in systems) + " |")
    return "\n".join(lines)


def plot_comparison(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(report["systems"])
    metrics = list(METRICS)
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    for i, s in enumerate(systems):
        ov = report["systems"][s]["overall"]
        rates = [100 * ov[m]["rate"] if ov[m]["n"] else 0 for m in metrics]
        err = [[max(0.0, 100 * (ov[m]["rate"] - ov[m]["ci_low"])) if ov[m]["n"] else 0 for m in metrics],
               [max(0.0, 100 * (ov[m]["ci_high"] - ov[m]["rate"])) if ov[m]["n"] else 0 for m in metrics]]
        xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(metrics))]
        bars = ax.bar(xs, rates, width, yerr=err, capsize=2, label=s)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
    ax.set_xticks(range(len(metrics)), [LABELS[m] for m in metrics], rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("% of rows (95% Wilson CI)")
    name = Path(str(report["model"].get("path", "model"))).name
    ax.set_title(f"{name}: base vs fine-tuned on {report['rows']} held-out rows (greedy)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_categories(report: dict[str, Any], path: Path, metric: str = "execution") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(report["systems"])
    cats = _categories(report)
    grid = [[100 * _cat(report, s, c, metric)["rate"] for s in systems] for c in cats]
    fig, ax = plt.subplots(figsize=(2.2 + 1.6 * len(systems), 0.4 * len(cats) + 1.4))
    im = ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=100, aspect="auto")
    for i, r in enumerate(grid):
        for j, v in enumerate(r):
            ax.text(j, i, "–" if v != v else f"{v:.0f}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(systems)), systems)
    ax.set_yticks(range(len(cats)), cats, fontsize=8)
    ax.set_title(f"{LABELS[metric]} by category (%)", fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.05)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def failures(report: dict[str, Any], rows: Sequence[Row], system: str) -> list[dict[str, Any]]:
    """Rows where the system's reply did not reach the gold end state or the strict format."""
    res = report["systems"][system]
    out = []
    for row, text, s in zip(rows, res["outputs"], res["scored"]):  # zip: a limited system has fewer
        if not (s["execution"] and s["format_strict"] and s["tool_selection"]):
            out.append({"system": system, "id": row.id, "category": row.category, "today": row.today.isoformat(),
                        "prompt": row.history(), "gold": [g.model_dump() for g in row.gold], "output": text,
                        "errors": s["errors"], "failed": [m for m in METRICS if s.get(m) is False]})
    return out


def write_report(report: dict[str, Any], rows: Sequence[Row], out_dir: str | Path) -> dict[str, str]:
    """report.json (no raw outputs), predictions.jsonl, failures.jsonl, report.md, comparison.png,
    categories.png. Returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    slim = {**report, "systems": {s: {k: v for k, v in r.items() if k not in ("outputs", "scored")}
                                  for s, r in report["systems"].items()}}
    (out / "report.json").write_text(json.dumps(slim, indent=2, default=str) + "\n")
    with open(out / "predictions.jsonl", "w", encoding="utf-8") as f:
        for i, row in enumerate(rows):
            f.write(json.dumps({"id": row.id, "category": row.category,
                                **{s: r["outputs"][i] for s, r in report["systems"].items() if i < len(r["outputs"])}},
                               ensure_ascii=False) + "\n")
    with open(out / "failures.jsonl", "w", encoding="utf-8") as f:
        for s in report["systems"]:
            for item in failures(report, rows, s):
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
    plot_comparison(report, out / "comparison.png")
    plot_categories(report, out / "categories.png")
    info = report["model"]
    md = [f"# Base vs fine-tuned — {Path(str(info.get('path', '?'))).name}", "",
          f"- Date: {report['created']}", f"- Model: `{info.get('model_name')}`; adapter: `{info.get('adapter')}`; "
          f"backend: {info.get('backend')}", f"- Rows: {report['rows']} (held-out; ids in report.json), "
          f"greedy, max_new_tokens={report['settings']['max_new_tokens']}", "",
          comparison_table(report), "", "Rates with Wilson 95% intervals over rows in brackets; the improvement's "
          "interval is over phrasing families (a paired bootstrap). System prompts: "
          + ", ".join(f"{s}: {r.get('prompt_style', '?')}" for s, r in report["systems"].items())
          + " (the base model is given the prompt that spells the contract out; the tuned model the short "
            "prompt it was trained with).", "",
          family_table(report), "", "Rows written from one template family share their phrasing and mostly pass or "
          "fail together, so the interval over families (a bootstrap that resamples whole families) is the "
          "width to read when comparing models or data; the one over rows assumes independent rows.", "",
          category_table(report), "", "![comparison](comparison.png)", "", "![categories](categories.png)", ""]
    for s, r in report["systems"].items():
        if r["error_codes"]:
            md.append(f"Strict-format errors ({s}): " + ", ".join(f"{k} ×{v}" for k, v in r["error_codes"].items()))
    (out / "report.md").write_text("\n".join(md) + "\n")
    return {k: str(out / v) for k, v in {"json": "report.json", "markdown": "report.md", "chart": "comparison.png",
                                          "categories": "categories.png", "failures": "failures.jsonl",
                                          "predictions": "predictions.jsonl"}.items()}
