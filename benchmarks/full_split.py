"""The tuned model (and its second tries) on every row of a split, not only notebook 03's 120.

    python benchmarks/full_split.py --adapter outputs/adapters/cpu --data outputs/data/test.jsonl \
        --out outputs/reports/cpu_full_test

Notebook 03 scores 120 test rows spread over the categories and families, base model included, so
that the main job stays short; with 18 dated rows there, one answer moves date accuracy by 5.6
points. This scores all the rows of the file with the same code (lib.evaluate.evaluate, the
"tuned" and "tuned+retry" systems; the base model is left out, as it scores 0% on every row the
notebook gives it and costs 2.5 s a row), and prints the figures twice: on all rows, and on the
rows notebook 03 does *not* score (`select_rows`), which were never looked at before. A
measurement only: nothing is chosen with it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SYSTEMS = ("tuned", "tuned+retry")  # the base model scores 0% on these rows and costs 2.5 s each


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--adapter", required=True)
    p.add_argument("--data", default="outputs/data/test.jsonl")
    p.add_argument("--out", default="outputs/reports/full_split")
    from lib.presets import PRESETS  # light: no torch

    p.add_argument("--notebook-rows", type=int, default=PRESETS["cpu"].test_rows,
                   help="the rows notebook 03 scores (default: the cpu preset's test_rows)")
    p.add_argument("--model", default=None)
    a = p.parse_args()

    from lib.dataset import load_rows, select_rows
    from lib.evaluate import evaluate
    from lib.model import load_model
    from lib.report import category_table, family_table, write_report
    from lib.scoring import summarize

    rows = load_rows(a.data)
    seen = {r.id for r in select_rows(rows, a.notebook_rows)}
    model, tokenizer = load_model(a.model, PRESETS["cpu"].max_seq_length, adapter_dir=a.adapter)
    report = evaluate(model, tokenizer, rows, SYSTEMS)
    write_report(report, rows, a.out)
    print(f"## all {len(rows)} rows of {a.data}\n")
    for system in SYSTEMS:
        print(family_table(report, system), "\n")
    print(category_table(report), "\n")
    unseen = [i for i, r in enumerate(rows) if r.id not in seen]
    print(f"## the {len(unseen)} rows notebook 03 does not score\n")
    for system in SYSTEMS:
        scored = [report["systems"][system]["scored"][i] for i in unseen]
        overall = summarize([rows[i] for i in unseen], scored)["overall"]
        print(f"{system}: " + ", ".join(f"{m} {100 * v['rate']:.1f}% ({v['k']}/{v['n']})"
                                        for m, v in overall.items() if v["n"]))


if __name__ == "__main__":
    main()
