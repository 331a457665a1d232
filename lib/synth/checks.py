"""Checks on generated data, and the dataset card that records them.

- `validate_sample`: a row's reference answer parses strictly to exactly its gold calls, and the
  gold executes without error against the store the row describes.
- `overlap_report` / `check_splits`: training shares no user message, template family, phrasing
  (lib.synth.heldout.core) or task title with validation or test, and every category has >= 5%
  of each split. `write_dataset` refuses to write files that fail either.
"""

from __future__ import annotations

import collections
from typing import Any

from lib.dataset import Row
from lib.executor import execute
from lib.parser import parse_response
from lib.store import title_key
from lib.tools import validate_call
from lib.synth.families import split_families
from lib.synth.heldout import core
from lib.synth.templates import CATEGORIES


def validate_sample(row: dict[str, Any] | Row) -> list[str]:
    """Problems with a generated row (empty list = fine)."""
    row = row if isinstance(row, Row) else Row.model_validate(row)
    problems = []
    parsed = parse_response(row.target or "", "strict")
    if not parsed.ok:
        problems.append(f"target does not parse: {parsed.errors}")
    if [_canonical(c, row.today) for c in parsed.calls] != [_canonical(g, row.today) for g in row.gold]:
        problems.append("parsed calls differ from gold")
    if row.gold:
        results = execute(row.gold, row.prepare_store(), row.today)
        problems += [f"gold call failed: {r['message']}" for r in results if r["status"] != "success"]
    for m in row.history()[:-1]:
        if m["role"] == "tool" and '"status": "error"' in m["content"]:
            problems.append("history holds a failed tool call")
    return problems


def _canonical(call, today) -> Any:
    """A call with its due date resolved: the answer says "next Friday", the gold holds the date."""
    name, args, error = validate_call(call, today)
    return (name, args.canonical()) if args is not None else ("invalid", error)


def family_core_overlap(a: str, b: str) -> int:
    """How many phrasings (template cores) the families of splits a and b share."""
    def cores(split: str) -> set[str]:
        return {core(last[0]) for fams in split_families(split).values() for _, last in fams}

    return len(cores(a) & cores(b))


def user_messages(rows: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for r in rows for m in r["messages"] if m["role"] == "user"]


def _titles(rows: list[dict[str, Any]]) -> set[str]:
    return {title_key(g["args"]["title"]) for r in rows for g in r["gold"] if "title" in g["args"]}


def overlap_report(splits: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Cross-split overlaps of user messages, template ids, phrasings and task phrases (titles)."""
    report = {}
    for other in ("validation", "test"):
        a, b = splits["train"], splits[other]
        report[f"train_vs_{other}"] = {
            "user_messages": len(set(user_messages(a)) & set(user_messages(b))),
            "final_user_messages": len({r["messages"][-1]["content"] for r in a} & {r["messages"][-1]["content"] for r in b}),
            "template_ids": len({r["template_id"] for r in a} & {r["template_id"] for r in b}),
            # the phrasings themselves, without slots, punctuation and polite wrappers
            "phrasings": family_core_overlap("train", other),
            "gold_titles": len(_titles(a) & _titles(b)),
        }
    return report


# The id mark of the rows lib.synth.generate appends for a split's v3/v4 families ("validation-v3-update-00000").
APPENDED_ID_MARK = "-v3-"


def check_splits(splits: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Raise if any split overlaps training, or a category is under 5% of a split's cycled rows (the
    rows lib.synth.generate appends for v3/v4 families add to a few categories on purpose)."""
    report = overlap_report(splits)
    for pair, counts in report.items():
        bad = {k: v for k, v in counts.items() if v}
        if bad:
            raise AssertionError(f"{pair} overlaps: {bad}")
    for split, rows in splits.items():
        shares = collections.Counter(r["category"] for r in rows)
        cycled = sum(APPENDED_ID_MARK not in r["id"] for r in rows)
        if set(shares) != set(CATEGORIES) or min(shares.values()) < 0.05 * cycled:
            raise AssertionError(f"{split}: unbalanced categories {dict(shares)}")
    return report


def dataset_card(splits: dict[str, list[dict[str, Any]]], seed: int, version: str,
                 today_range: tuple[str, str]) -> dict[str, Any]:
    counts = {s: dict(sorted(collections.Counter(r["category"] for r in rows).items())) for s, rows in splits.items()}
    return {
        "generator_version": version,
        "seed": seed,
        "sizes": {s: len(rows) for s, rows in splits.items()},
        "counts_per_category": counts,
        "min_category_share": {s: round(min(c.values()) / len(splits[s]), 4) for s, c in counts.items()},
        "unique_user_messages": {s: len(set(r["messages"][-1]["content"] for r in rows)) for s, rows in splits.items()},
        "unique_task_titles": {s: len(_titles(rows)) for s, rows in splits.items()},
        "template_families": {s: len({r["template_id"] for r in rows}) for s, rows in splits.items()},
        "today_range": list(today_range),
        "overlap": overlap_report(splits),
        "title_rule": "strip spaces, surrounding quotes and trailing punctuation; upper-case the first letter; keep the user's words",
    }
