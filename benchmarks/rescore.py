"""Score saved model answers again, without a model: what a change to the executor, the title or
date rules, or the metrics does to the very same outputs.

    python benchmarks/rescore.py outputs/experiments/e15_guards/outputs_validation.jsonl \
        --data outputs/data/validation.jsonl

Prints the overall metrics and each category's execution rate (the table `experiment.py` prints).
`experiment.py` writes outputs_<split>.jsonl ({"id", "output"} per row) next to its result.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.dataset import load_rows  # noqa: E402
from lib.scoring import score_row, summarize  # noqa: E402


def rescore(outputs_path: str | Path, data_path: str | Path) -> dict:
    outputs, users = {}, {}
    for line in Path(outputs_path).read_text().splitlines():
        record = json.loads(line)
        outputs[record["id"]] = record["output"]
        users[record["id"]] = record.get("user")  # absent in files written before 2026-11-27 06:40
    rows = [r for r in load_rows(data_path) if r.id in outputs]
    missing = set(outputs) - {r.id for r in rows}
    if missing:
        raise SystemExit(f"{len(missing)} answers have no row in {data_path} (e.g. {sorted(missing)[0]!r})")
    # ids repeat across dataset versions: the user's message tells whether these are the same rows
    other = [r.id for r in rows if users[r.id] is not None and users[r.id] != r.history()[-1]["content"]]
    if other:
        raise SystemExit(f"{len(other)} answers were given to other rows than {data_path}'s (e.g. {other[0]!r}): "
                         "another dataset version?")
    scored = [score_row(r, outputs[r.id]) for r in rows]
    summary = summarize(rows, scored)
    return {"rows": len(rows),
            "overall": {m: round(v["rate"], 4) for m, v in summary["overall"].items()},
            "overall_counts": {m: f"{v['k']}/{v['n']}" for m, v in summary["overall"].items()},
            "by_category": {c: round(v["execution"]["rate"], 4) for c, v in summary["by_category"].items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outputs", help="outputs_<split>.jsonl written by benchmarks/experiment.py")
    ap.add_argument("--data", required=True, help="the split's .jsonl the answers were given to")
    a = ap.parse_args()
    print(json.dumps(rescore(a.outputs, a.data), indent=1))


if __name__ == "__main__":
    main()
