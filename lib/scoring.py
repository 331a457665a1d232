"""Scoring: pure Python (no torch), so every metric is unit-tested on hand-made predictions.

Metrics (each row is scored once per system; rates carry Wilson 95% intervals over rows and, where
the rows name their phrasing family, a 95% interval over families):
  format_strict     the contract exactly (lib.parser strict mode)
  format_lenient    text around the tags / an unclosed last tag tolerated
  tool_selection    the exact list of tool names (empty list for a <final>); invalid output fails
  args_exact        rows with gold calls: names and every argument equal, after normalizing the
                    title (lib.dataset.normalize_title + case/space-insensitive), defaults filled in
                    (list_tasks() == list_tasks(status="open")), due_date absent == None, and dates
                    compared once resolved against the row's today ("tomorrow" == "2026-11-27")
  date_accuracy     rows whose gold has a due_date: the due dates the predicted calls store equal the
                    gold ones (resolved by lib.dates; a date read from the end of an add_task
                    title counts, lib.task_titles)
  irrelevance       rows whose gold is a <final>: the model answered with a <final>, no call
  execution         predicted and gold calls applied to two copies of the row's store end in
                    the same state (titles compared case/space-insensitively, the trash included)
                    and the reply parsed

Why two intervals: Wilson's treats rows as independent, but rows of one template family share
their phrasing and mostly pass or fail together, so a split with few families is much less
certain than its row count says (test v1 had 38 families for 360 rows, ~3 per category).
`family_interval` resamples whole families (a cluster bootstrap, fixed seed), which is the width
to read when comparing models or data: a difference inside it is phrasing luck.
"""

from __future__ import annotations

import collections
import datetime as dt
import math
from typing import Any, Optional, Sequence

from lib.dataset import Row, normalize_title
from lib.date_mentions import ground_dates
from lib.executor import execute
from lib.parser import parse_response
from lib.store import title_key
from lib.tools import ToolCall, validate_call

METRICS = ("format_strict", "format_lenient", "tool_selection", "args_exact", "date_accuracy", "irrelevance",
           "execution")


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


def family_of(row: Row) -> str:
    """The phrasing family a row was written from: its template id ("update/test/2"), else its id."""
    return row.template_id or row.id


def _family_bootstrap(per_family: dict[str, list[float]], statistic, level: float, resamples: int,
                      seed: int) -> tuple[float, float]:
    """Percentile interval of statistic(column sums) over resamples of whole families (with
    replacement), widened to hold the statistic of the data itself; nan without any family."""
    import numpy as np

    if not per_family:
        return (float("nan"), float("nan"))
    table = np.array(list(per_family.values()), dtype=float)  # one row per family
    pick = np.random.default_rng(seed).integers(0, len(table), size=(resamples, len(table)))
    sampled = statistic(table[pick].sum(axis=1).T)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(sampled, [tail, 100 - tail])
    point = float(statistic(table.sum(axis=0)))
    return (float(min(low, point)), float(max(high, point)))


def family_interval(values: Sequence[Optional[bool]], families: Sequence[str], level: float = 0.95,
                    resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Bootstrap interval of the rate, resampling families (with their rows) rather than rows.
    Rows where the metric does not apply (None) are left out; nan without any."""
    by: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])  # right, rows
    for v, f in zip(values, families, strict=True):
        if v is not None:
            by[f][0] += bool(v)
            by[f][1] += 1
    return _family_bootstrap(by, lambda c: c[0] / c[1], level, resamples, seed)


def family_difference_interval(a: Sequence[Optional[bool]], b: Sequence[Optional[bool]], families: Sequence[str],
                               level: float = 0.95, resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Interval of rate(b) - rate(a) for two systems scored on the same rows, resampling families
    (paired: both systems see the same resampled families). Rows where either is None are left out."""
    by: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0])  # a right, b right, rows
    for x, y, f in zip(a, b, families, strict=True):
        if x is not None and y is not None:
            by[f][0] += bool(x)
            by[f][1] += bool(y)
            by[f][2] += 1
    return _family_bootstrap(by, lambda c: (c[1] - c[0]) / c[2], level, resamples, seed)


def canonical_call(call: Any, today: dt.date) -> tuple[str, tuple] | None:
    """A comparable form of one call: validated args with defaults, titles normalized, due dates
    resolved against `today`. None when the call is not valid (unknown tool, bad arguments)."""
    name, args, error = validate_call(call, today)
    if error is not None or args is None:
        return None
    values = args.canonical()
    for key in ("title", "new_title"):
        if isinstance(values.get(key), str):
            values[key] = title_key(normalize_title(values[key]))
    return name, tuple(sorted(values.items()))


def _stored_due(call: ToolCall, today: dt.date) -> Optional[str]:
    """The due date this call would store (ISO), None for none; a call that is not valid, or whose
    date cannot be read, gives a marker that equals no date."""
    name, args, error = validate_call(call, today)
    if error is not None or args is None:
        value = call.args.get("due_date") if isinstance(call.args, dict) else None
        return f"unreadable: {value}" if value is not None else None
    return getattr(args, "due_date", None)


def _state(snapshot: list[dict[str, Any]]) -> list[tuple]:
    return sorted((title_key(normalize_title(t["title"])), t["due_date"] or "", t["status"], bool(t.get("deleted")))
                  for t in snapshot)


def score_row(row: Row, raw: str, read_dates: bool = True) -> dict[str, Any]:
    """Per-row metric values: True/False, or None where the metric does not apply to the row.
    The calls are scored as the agent carries them out: after the date of the user's message is
    read into them where lib.date_mentions says (`read_dates=False`: the calls as written)."""
    strict = parse_response(raw, "strict")
    lenient = parse_response(raw, "lenient")
    gold = row.gold
    pred = lenient.calls if lenient.kind == "action" else []
    if read_dates and pred:
        pred = ground_dates(pred, row.message, row.today)[0]
    names_ok = lenient.ok and [c.name for c in pred] == [g.name for g in gold]
    scores: dict[str, Any] = {
        "format_strict": strict.ok,
        "format_lenient": lenient.ok,
        "tool_selection": names_ok,
        "args_exact": None, "date_accuracy": None, "irrelevance": None,
    }
    if gold:
        pred_canon = [canonical_call(p, row.today) for p in pred]
        scores["args_exact"] = names_ok and all(
            c is not None and c == canonical_call(g, row.today) for c, g in zip(pred_canon, gold)
        )
        gold_dates = [_stored_due(g, row.today) for g in gold]
        if any(gold_dates):
            scores["date_accuracy"] = names_ok and [_stored_due(p, row.today) for p in pred] == gold_dates
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


def aggregate(scored: Sequence[dict[str, Any]], families: Optional[Sequence[str]] = None) -> dict[str, dict[str, Any]]:
    """{metric: {k, n, rate, ci_low, ci_high}} over the rows where the metric applies; with the
    rows' families also {families, family_ci_low, family_ci_high} (see family_interval)."""
    out = {}
    for metric in METRICS:
        values = [s[metric] for s in scored if s.get(metric) is not None]
        k, n = sum(bool(v) for v in values), len(values)
        low, high = wilson(k, n)
        out[metric] = {"k": k, "n": n, "rate": k / n if n else float("nan"), "ci_low": low, "ci_high": high}
        if families is not None:
            column = [s.get(metric) for s in scored]
            f_low, f_high = family_interval(column, families)
            out[metric].update(families=len({f for v, f in zip(column, families) if v is not None}),
                               family_ci_low=f_low, family_ci_high=f_high)
    return out


def summarize(rows: Sequence[Row], scored: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Overall (with family intervals) and per-category aggregates, and the strict-format error codes."""
    by_cat: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for row, s in zip(rows, scored):
        by_cat[row.category or "uncategorized"].append(s)
    errors = collections.Counter(code for s in scored for code in s["errors"])
    families = [family_of(r) for r in rows[:len(scored)]]
    return {"overall": aggregate(scored, families), "by_category": {c: aggregate(v) for c, v in sorted(by_cat.items())},
            "error_codes": dict(errors.most_common())}
