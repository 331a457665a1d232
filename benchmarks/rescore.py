"""Score saved model answers again, without a model: what a change to the executor, the title or
date rules, or the metrics does to the very same outputs.

    python benchmarks/rescore.py outputs/experiments/e15_guards/outputs_validation.jsonl \
        --data outputs/data/validation.jsonl

    python benchmarks/rescore.py NEW/outputs_validation.jsonl --against OLD/outputs_validation.jsonl \
        --data outputs/data/validation.jsonl

Prints the overall metrics (with their 95% intervals over phrasing families) and each category's
execution rate (the table `experiment.py` prints). With --against, the two answer sets are
compared on their common rows: each metric's difference NEW - OLD with a paired 95% interval over
phrasing families (lib.scoring.family_difference_interval). An interval that holds 0 is a
difference phrasing luck alone could make. Several NEW and as many OLD answer sets (one pair per
training seed, in the same order) pool the pairs: a family's rows from every seed are resampled
together, so the interval is that of the difference averaged over the seeds.

    python benchmarks/rescore.py A_s7/outputs_validation.jsonl A_s42/outputs_validation.jsonl \
        --against B_s7/outputs_validation.jsonl B_s42/outputs_validation.jsonl --data outputs/data/validation.jsonl

It also prints each category's execution rate, NEW and OLD (over several seeds, their mean).
--against-unread-dates compares the answer sets with themselves scored without the step that
reads the message's date into the calls (lib.date_mentions).
`experiment.py` writes outputs_<split>.jsonl ({"id", "output"} per row) next to its result.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.dataset import load_rows  # noqa: E402
from lib.scoring import family_difference_interval, family_of, score_row, summarize  # noqa: E402

COMPARED = ("tool_selection", "execution", "args_exact", "date_accuracy", "irrelevance")


def scored_rows(outputs_path: str | Path, data_path: str | Path, read_dates: bool = True) -> tuple[list, list]:
    """The rows these answers were given to, and each answer scored (`read_dates`: see score_row)."""
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
    other = [r.id for r in rows if users[r.id] is not None and users[r.id] != r.message]
    if other:
        raise SystemExit(f"{len(other)} answers were given to other rows than {data_path}'s (e.g. {other[0]!r}): "
                         "another dataset version?")
    return rows, [score_row(r, outputs[r.id], read_dates) for r in rows]


def rescore(outputs_path: str | Path, data_path: str | Path) -> dict:
    rows, scored = scored_rows(outputs_path, data_path)
    summary = summarize(rows, scored)
    return {"rows": len(rows),
            "overall": {m: round(v["rate"], 4) for m, v in summary["overall"].items()},
            "overall_family_interval": {m: [round(v["family_ci_low"], 4), round(v["family_ci_high"], 4)]
                                        for m, v in summary["overall"].items() if v["n"]},
            "families": summary["overall"]["execution"]["families"],
            "overall_counts": {m: f"{v['k']}/{v['n']}" for m, v in summary["overall"].items()},
            "by_category": {c: round(v["execution"]["rate"], 4) for c, v in summary["by_category"].items()}}


def paired_rows(new_path: str | Path, old_path: str | Path, data_path: str | Path,
                old_reads_dates: bool = True) -> list[tuple]:
    """(row, NEW's scores, OLD's scores) for each row both answer sets answered."""
    new_rows, new_scored = scored_rows(new_path, data_path)
    old_rows, old_scored = scored_rows(old_path, data_path, old_reads_dates)
    old_by_id = dict(zip((r.id for r in old_rows), old_scored))
    return [(r, s, old_by_id[r.id]) for r, s in zip(new_rows, new_scored) if r.id in old_by_id]


def compare(new_paths: Sequence[str | Path], old_paths: Sequence[str | Path], data_path: str | Path,
            old_reads_dates: bool = True) -> dict:
    """NEW - OLD on the rows both answered, per metric, with a paired interval over families; with
    several (NEW, OLD) pairs (one per seed), their rows pooled, each family's rows resampled together."""
    if len(new_paths) != len(old_paths):
        raise SystemExit(f"{len(new_paths)} NEW answer sets against {len(old_paths)} OLD ones: give one OLD per NEW")
    pairs = [p for new, old in zip(new_paths, old_paths, strict=True)
             for p in paired_rows(new, old, data_path, old_reads_dates)]
    families = [family_of(r) for r, _, _ in pairs]
    out = {"rows": len(pairs), "families": len(set(families))}
    for metric in COMPARED:
        new, old = [s.get(metric) for _, s, _ in pairs], [o.get(metric) for _, _, o in pairs]
        both = [(x, y) for x, y in zip(new, old) if x is not None and y is not None]
        if not both:
            continue
        diff = (sum(bool(x) for x, _ in both) - sum(bool(y) for _, y in both)) / len(both)
        low, high = family_difference_interval(old, new, families)
        out[metric] = {"difference": round(diff, 4), "family_interval": [round(low, 4), round(high, 4)],
                       "rows": len(both)}
    # each category's execution, NEW and OLD (pooled: every seed answers the same rows, so the mean over seeds)
    rows = [r for r, _, _ in pairs]
    new_cats = summarize(rows, [s for _, s, _ in pairs])["by_category"]
    old_cats = summarize(rows, [o for _, _, o in pairs])["by_category"]
    out["execution_by_category"] = {
        c: {"new": round(new_cats[c]["execution"]["rate"], 4), "old": round(old_cats[c]["execution"]["rate"], 4),
            "difference": round(new_cats[c]["execution"]["rate"] - old_cats[c]["execution"]["rate"], 4)}
        for c in new_cats}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outputs", nargs="+", help="outputs_<split>.jsonl written by benchmarks/experiment.py "
                                               "(several only with --against: one per seed)")
    ap.add_argument("--data", required=True, help="the split's .jsonl the answers were given to")
    ap.add_argument("--against", nargs="+", help="as many answer sets to the same rows, in the same order: "
                                                 "print NEW - OLD with intervals")
    ap.add_argument("--against-unread-dates", action="store_true",
                    help="compare each answer set with itself scored without reading the message's date "
                         "into the calls (lib.date_mentions): what that step changes")
    a = ap.parse_args()
    if a.against_unread_dates:
        result = compare(a.outputs, a.outputs, a.data, old_reads_dates=False)
    elif a.against:
        result = compare(a.outputs, a.against, a.data)
    elif len(a.outputs) == 1:
        result = rescore(a.outputs[0], a.data)
    else:
        raise SystemExit("several answer sets are compared with --against (one OLD per NEW); rescore one at a time")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
