"""Honest evaluation: base versus tuned on held-out rows, greedy, identical prompts.

Scoring (`score_row`) is pure Python (no torch) so every metric is unit-tested on hand-made
predictions. Generation goes through `lib.generation.generate_batch`; "base" is the same loaded
model with its adapter disabled (`model.disable_adapter()`), never a second copy.

Metrics (each row is scored once per system; rates carry Wilson 95% intervals):
  format_strict     the contract exactly (lib.parser strict mode)
  format_lenient    text around the tags / an unclosed last tag tolerated
  parse_success     the lenient parse yields an action or a final (= format_lenient)
  tool_selection    the exact list of tool names (empty list for a <final>); invalid output fails
  args_exact        rows with gold calls: names and every argument equal, after normalizing the
                    title (lib.data.normalize_title + case/space-insensitive), defaults filled in
                    (list_tasks() == list_tasks(status="open")), due_date absent == None
  date_accuracy     rows whose gold has a due_date: the predicted due dates equal the gold ones
  irrelevance       rows whose gold is a <final>: the model answered with a <final>, no call
  execution         predicted and gold calls applied to two copies of the row's store end in
                    the same state (titles compared case/space-insensitively) and the reply parsed
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from lib.data import Row, load_rows, normalize_title
from lib.executor import execute
from lib.parser import parse_response
from lib.store import title_key
from lib.tools import validate_call

METRICS = ("format_strict", "format_lenient", "parse_success", "tool_selection", "args_exact",
           "date_accuracy", "irrelevance", "execution")
LABELS = {
    "format_strict": "Format (strict)", "format_lenient": "Format (lenient)", "parse_success": "Parse success",
    "tool_selection": "Tool selection", "args_exact": "Arguments exact", "date_accuracy": "Date accuracy",
    "irrelevance": "No call when none is due", "execution": "Execution (end state)",
}


# -- scoring ----------------------------------------------------------------------------------
def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for k successes out of n (a sound interval near 0% and 100%)."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return (0.0 if k == 0 else min(low, p), 1.0 if k == n else max(high, p))  # float-safe at 0 and n


def canonical_call(call: Any) -> tuple[str, tuple] | None:
    """A comparable form of one call: validated args with defaults, titles normalized.
    None when the call is not valid (unknown tool, bad arguments)."""
    name, args, error = validate_call(call)
    if error is not None or args is None:
        return None
    values = args.model_dump()
    for key in ("title",):
        if isinstance(values.get(key), str):
            values[key] = title_key(normalize_title(values[key]))
    return name, tuple(sorted(values.items()))


def _state(snapshot: list[dict[str, Any]]) -> list[tuple]:
    return sorted((title_key(normalize_title(t["title"])), t["due_date"] or "", t["status"]) for t in snapshot)


def score_row(row: Row, raw: str) -> dict[str, Any]:
    """Per-row metric values: True/False, or None where the metric does not apply to the row."""
    strict = parse_response(raw, "strict")
    lenient = parse_response(raw, "lenient")
    gold = [g.model_dump() for g in row.gold]
    pred = [c.model_dump() for c in lenient.calls] if lenient.kind == "action" else []
    names_ok = lenient.ok and [c["name"] for c in pred] == [g["name"] for g in gold]
    scores: dict[str, Any] = {
        "format_strict": strict.ok,
        "format_lenient": lenient.ok,
        "parse_success": lenient.ok,
        "tool_selection": names_ok,
        "args_exact": None, "date_accuracy": None, "irrelevance": None,
    }
    if gold:
        pred_canon = [canonical_call(p) for p in pred]
        scores["args_exact"] = names_ok and all(
            c is not None and c == canonical_call(g) for c, g in zip(pred_canon, gold)
        )
        gold_dates = [g["args"].get("due_date") for g in gold]
        if any(gold_dates):
            scores["date_accuracy"] = names_ok and [p["args"].get("due_date") for p in pred] == gold_dates
    else:
        scores["irrelevance"] = lenient.kind == "final"
    # End-to-end: the same initial store, gold applied to one copy, the prediction to another.
    if lenient.ok:
        gold_store, pred_store = row.prepare_store(), row.prepare_store()
        execute(gold, gold_store, row.today)
        if pred:
            execute(pred, pred_store, row.today)
        scores["execution"] = _state(gold_store.snapshot()) == _state(pred_store.snapshot())
    else:
        scores["execution"] = False
    scores["errors"] = strict.errors if not strict.ok else []
    scores["lenient_errors"] = lenient.errors
    return scores


def aggregate(scored: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{metric: {k, n, rate, ci_low, ci_high}} over the rows where the metric applies."""
    out = {}
    for metric in METRICS:
        values = [s[metric] for s in scored if s.get(metric) is not None]
        k, n = sum(bool(v) for v in values), len(values)
        low, high = wilson(k, n)
        out[metric] = {"k": k, "n": n, "rate": k / n if n else float("nan"), "ci_low": low, "ci_high": high}
    return out


def summarize(rows: Sequence[Row], scored: Sequence[dict[str, Any]]) -> dict[str, Any]:
    by_cat: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for row, s in zip(rows, scored):
        by_cat[row.category or "uncategorized"].append(s)
    errors = collections.Counter(code for s in scored for code in s["errors"])
    return {"overall": aggregate(scored), "by_category": {c: aggregate(v) for c, v in sorted(by_cat.items())},
            "error_codes": dict(errors.most_common())}


# -- selecting rows -----------------------------------------------------------------------------
def select_rows(rows: Sequence[Row], limit: Optional[int]) -> list[Row]:
    """The first `limit` rows, taken round-robin across categories in file order, so a small
    limit still covers every category (deterministic)."""
    if not limit or limit >= len(rows):
        return list(rows)
    queues: dict[str, collections.deque] = collections.OrderedDict()
    for row in rows:
        queues.setdefault(row.category or "", collections.deque()).append(row)
    picked: list[Row] = []
    while len(picked) < limit:
        for q in queues.values():
            if q and len(picked) < limit:
                picked.append(q.popleft())
    return picked


# -- running a model ------------------------------------------------------------------------------
def run_system(model, tokenizer, rows: Sequence[Row], system: str, batch_size: int = 16,
               max_new_tokens: int = 160, progress: bool = True) -> dict[str, Any]:
    """Generate and score one system: "tuned" (adapter on), "base" (adapter disabled), or
    "base+grammar" (adapter disabled, constrained decoding). A model without an adapter can only
    be "base" or "base+grammar"."""
    import contextlib

    from lib.generation import generate_batch

    has_adapter = hasattr(model, "disable_adapter") and bool(getattr(model, "peft_config", None))
    if system == "tuned" and not has_adapter:
        raise ValueError("'tuned' needs a model loaded with an adapter (load_model(..., adapter_dir=...))")
    if system not in ("tuned", "base", "base+grammar"):
        raise ValueError(f"unknown system {system!r}")
    factory = None
    if system == "base+grammar":
        from lib.grammar import contract_processor_factory

        factory = contract_processor_factory(model, tokenizer)
    context = model.disable_adapter() if (system != "tuned" and has_adapter) else contextlib.nullcontext()
    with context:
        texts, stats = generate_batch(model, tokenizer, [r.prompt_messages() for r in rows], max_new_tokens=max_new_tokens,
                                      batch_size=batch_size, logits_processor_factory=factory, progress=progress,
                                      desc=system)
    scored = [score_row(r, t) for r, t in zip(rows, texts)]
    return {"system": system, "outputs": texts, "scored": scored, "stats": stats, **summarize(rows, scored)}


def evaluate(model, tokenizer, rows: Sequence[Row], systems: Iterable[str] = ("base", "tuned"),
             batch_size: int = 16, max_new_tokens: int = 160, progress: bool = True,
             grammar_limit: Optional[int] = None) -> dict[str, Any]:
    """Every system on the same rows. Returns a report dict (see `write_report`).

    Constrained decoding costs a grammar step per token in Python (~0.1-0.3 s on a CPU), so
    "base+grammar" can be limited to the first `grammar_limit` rows (still spread over
    categories by `select_rows`); its k/n in the tables shows the smaller n."""
    info = dict(getattr(model, "taskagent_info", {}))
    results = {}
    for s in systems:
        subset = list(rows[:grammar_limit]) if (s == "base+grammar" and grammar_limit) else list(rows)
        results[s] = run_system(model, tokenizer, subset, s, batch_size, max_new_tokens, progress)
        results[s]["rows"] = len(subset)
    return {"created": dt.datetime.now().isoformat(timespec="seconds"), "model": info, "rows": len(rows),
            "categories": dict(collections.Counter(r.category or "uncategorized" for r in rows)),
            "settings": {"batch_size": batch_size, "max_new_tokens": max_new_tokens, "decoding": "greedy"},
            "row_ids": [r.id for r in rows], "systems": results}


# -- reports --------------------------------------------------------------------------------------
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
            line += f" {100 * (b['rate'] - a['rate']):+.1f} pts |" if a["n"] else " n/a |"
        lines.append(line)
    speed = " | ".join(f"{report['systems'][s]['stats']['tokens_per_s']:.1f} tok/s, "
                       f"{report['systems'][s]['stats']['latency_per_prompt_s']:.2f} s/prompt" for s in systems)
    lines.append(f"| Speed | {speed} |" + (" |" if {baseline, candidate} <= set(systems) else ""))
    return "\n".join(lines)


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
    metrics = [m for m in METRICS if m != "parse_success"]
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
          comparison_table(report), "", "Rates with Wilson 95% intervals in brackets.", "",
          category_table(report), "", "![comparison](comparison.png)", "", "![categories](categories.png)", ""]
    for s, r in report["systems"].items():
        if r["error_codes"]:
            md.append(f"Strict-format errors ({s}): " + ", ".join(f"{k} ×{v}" for k, v in r["error_codes"].items()))
    (out / "report.md").write_text("\n".join(md) + "\n")
    return {k: str(out / v) for k, v in {"json": "report.json", "markdown": "report.md", "chart": "comparison.png",
                                          "categories": "categories.png", "failures": "failures.jsonl",
                                          "predictions": "predictions.jsonl"}.items()}


# -- command line ----------------------------------------------------------------------------------
def main(argv: Optional[list[str]] = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="python -m lib.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=None, help="HF name or folder; 'smollm2'/'tiny' for the offline models "
                   "(default: the GPU model with CUDA, smollm2 without)")
    p.add_argument("--adapter", default=None, help="LoRA adapter folder; without it only the base is scored")
    p.add_argument("--data", required=True, help="a .jsonl file in the public test-file schema")
    p.add_argument("--out", required=True, help="output folder for the report")
    p.add_argument("--limit", type=int, default=None, help="score only N rows (spread over categories)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-new-tokens", type=int, default=160)
    p.add_argument("--max-seq-length", type=int, default=2048)
    p.add_argument("--grammar", action="store_true", help="add a 'base+grammar' column (constrained decoding)")
    p.add_argument("--grammar-limit", type=int, default=None, help="run 'base+grammar' on the first N rows only")
    p.add_argument("--load-in-4bit", action=argparse.BooleanOptionalAction, default=None)
    a = p.parse_args(argv)
    rows = select_rows(load_rows(a.data), a.limit)
    from lib.model import has_cuda, load_model

    four_bit = has_cuda() if a.load_in_4bit is None else a.load_in_4bit
    model, tokenizer = load_model(a.model, a.max_seq_length, load_in_4bit=four_bit, adapter_dir=a.adapter)
    systems = ["base"] + (["base+grammar"] if a.grammar else []) + (["tuned"] if a.adapter else [])
    report = evaluate(model, tokenizer, rows, systems, a.batch_size, a.max_new_tokens, grammar_limit=a.grammar_limit)
    paths = write_report(report, rows, a.out)
    print(comparison_table(report))
    print("\n".join(f"{k}: {v}" for k, v in paths.items()))
    return report


if __name__ == "__main__":
    main()
