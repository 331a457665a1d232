"""Synthetic dataset generation, the public test-file schema, and its loaders.

Every row has its own `today` (2024-2028), so dates are learned relative to the prompt. Validation
and test use template families (lib.templates) and task phrases never seen in training; training
also gets the composed phrasings of lib.paraphrases (none shares a phrasing with a held-out family). Gold
titles follow one rule, `normalize_title`: strip spaces, surrounding quotes and trailing
punctuation, upper-case the first letter, keep the user's words otherwise.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any, Iterable, Optional

from pydantic import BaseModel, Field, model_validator

from lib.dates import WEEKDAYS, ordinal, resolve_date
from lib.executor import execute
from lib.parser import format_action, format_final, parse_response
from lib.phrases import ANALYSIS, REPLIES, task_phrases
from lib.prompts import build_messages, tool_results_message
from lib.store import TaskStore, title_key
from lib.paraphrases import composed_multi_turn, composed_templates, core
from lib.templates import MULTI_TURN, TEMPLATES, Template

GENERATOR_VERSION = "1.2"
SPLITS = ("train", "validation", "test")
CATEGORIES = (
    "add_dated", "add_undated", "list", "summarize", "complete", "delete", "conversation",
    "out_of_scope", "clarification", "negation", "multi_intent", "multi_turn",
)
DEFAULT_SIZES = {"train": 1600, "validation": 240, "test": 360}
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 1), dt.date(2028, 12, 31)
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


# -- the public test-file schema ---------------------------------------------------------------
class GoldCall(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class Row(BaseModel):
    """One line of a dataset/test file. `user` (one message) or `messages` (a history ending
    with the user's message; assistant turns in the contract, tool results as role "tool")."""

    id: str
    today: dt.date
    user: Optional[str] = None
    messages: Optional[list[dict[str, str]]] = None
    gold: list[GoldCall]
    category: Optional[str] = None
    tasks: list[dict[str, Any]] = Field(default_factory=list)  # the store before the history
    target: Optional[str] = None  # the reference assistant response (our generated files)
    template_id: Optional[str] = None

    @model_validator(mode="after")
    def _one_of_user_or_messages(self) -> "Row":
        if (self.user is None) == (self.messages is None):
            raise ValueError("a row needs exactly one of 'user' or 'messages'")
        if self.messages is not None and (not self.messages or self.messages[-1].get("role") != "user"):
            raise ValueError("'messages' must end with the user's message")
        return self

    def history(self) -> list[dict[str, str]]:
        """Messages up to and including the new user message (no system prompt)."""
        return [{"role": "user", "content": self.user}] if self.user is not None else list(self.messages)

    def prompt_messages(self) -> list[dict[str, str]]:
        return build_messages(self.today, history=self.history())

    def chat(self) -> list[dict[str, str]]:
        """The training sample: system prompt, history, and the reference answer."""
        if self.target is None:
            raise ValueError(f"row {self.id} has no target")
        return self.prompt_messages() + [{"role": "assistant", "content": self.target}]

    def prepare_store(self) -> TaskStore:
        """The store as it stands when the user sends the last message: the initial tasks, then
        every earlier assistant action in the history, executed in order."""
        store = TaskStore.from_snapshot(self.tasks)
        for m in self.history()[:-1]:
            if m["role"] == "assistant":
                parsed = parse_response(m["content"], "lenient")
                if parsed.kind == "action":
                    execute(parsed.calls, store, self.today)
        return store


def load_rows(path: str | Path, limit: Optional[int] = None) -> list[Row]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(Row.model_validate_json(line))
            except Exception as exc:
                raise ValueError(f"{path}:{lineno}: not a valid row: {exc}") from None
            if limit and len(rows) >= limit:
                break
    return rows


# -- titles and dates ---------------------------------------------------------------------------
def normalize_title(text: str) -> str:
    title = text.strip().strip("'\"").strip()
    title = re.sub(r"[.!?,;:\s]+$", "", title)
    return title[:1].upper() + title[1:]


def date_expression(rng: random.Random, today: dt.date) -> tuple[str, str]:
    """A date phrase as a user would type it, and its ISO gold (through the one resolver)."""
    kind = rng.randrange(14)
    wd = rng.choice(WEEKDAYS).capitalize()
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 29) if rng.random() < 0.9 else rng.choice([29, 30, 31])
    if kind in (0, 1):
        text = rng.choice(["tomorrow", "by tomorrow", "for tomorrow"])
    elif kind == 2:
        text = rng.choice(["today", "tonight", "by tonight", "the day after tomorrow"])
    elif kind == 3:
        n = rng.randrange(2, 13)
        text = f"in {rng.choice([str(n), ['two','three','four','five','six','seven','eight','nine','ten','eleven','twelve'][n - 2]])} days"
    elif kind == 4:
        text = rng.choice(["in a week", "in 2 weeks", "in three weeks", "in two weeks"])
    elif kind in (5, 6):
        text = rng.choice([f"on {wd}", f"by {wd}", f"{wd}"])
    elif kind == 7:
        text = f"this {wd}"
    elif kind == 8:
        text = f"next {wd}"
    elif kind == 9:
        text = rng.choice(["by the end of the week", "by the end of the month", "end of the month"])
    elif kind in (10, 11):
        name = MONTH_NAMES[month - 1]
        text = rng.choice([f"on {name} {day}", f"by {day} {name}", f"on the {ordinal(day)} of {name}",
                           f"by {name} {ordinal(day)}"])
    elif kind == 12:
        text = "on " + (today + dt.timedelta(days=rng.randrange(1, 400))).isoformat()
    else:
        year = rng.choice([y for y in range(today.year, today.year + 9) if y % 4 == 0 and dt.date(y, 2, 29) >= today])
        text = rng.choice([f"on February 29", f"by {year}-02-29"])
    try:
        return text, resolve_date(text, today).isoformat()
    except ValueError:  # e.g. "on April 31": never generated as a gold date
        return date_expression(rng, today)


@functools.cache
def split_families(split: str) -> dict[str, list[tuple[list[Template], Template]]]:
    """Per category, the (earlier turns, last turn) families of a split. Training adds the composed
    phrasings of lib.paraphrases to the hand-written ones; validation and test are hand-written only."""
    out = {c: [([], t) for t in TEMPLATES[c][split]] for c in TEMPLATES}
    out["multi_turn"] = list(MULTI_TURN[split])
    if split == "train":
        for c, extra in composed_templates().items():
            out[c] += [([], t) for t in extra]
        out["multi_turn"] += composed_multi_turn()
    return out


def family_core_overlap(a: str, b: str) -> int:
    """How many phrasings (template cores, lib.paraphrases.core) splits a and b share."""
    def cores(split: str) -> set[str]:
        return {core(last[0]) for fams in split_families(split).values() for _, last in fams}

    return len(cores(a) & cores(b))


def _surface(rng: random.Random, phrase: str) -> str:
    """How the user types a phrase: mostly as is, sometimes capitalised or shouted."""
    r = rng.random()
    if r < 0.25:
        return phrase[:1].upper() + phrase[1:]
    if r < 0.28:
        return phrase.upper()
    return phrase


# -- generation --------------------------------------------------------------------------------
class _Splitter:
    def __init__(self, seed: int) -> None:
        phrases = sorted(set(task_phrases()))
        random.Random(f"phrases-{seed}").shuffle(phrases)
        n = len(phrases)
        cut1, cut2 = int(n * 0.7), int(n * 0.85)
        self.phrases = {"train": phrases[:cut1], "validation": phrases[cut1:cut2], "test": phrases[cut2:]}


def _fill(text: str, slots: dict[str, str]) -> str:
    for k, v in slots.items():
        text = text.replace("{" + k + "}", v)
    return text


def _resolve_calls(calls, titles: dict[str, str], dates: dict[str, str]) -> list[dict[str, Any]]:
    gold = []
    for tool, spec in calls:
        args = {}
        for arg, slot in spec.items():
            args[arg] = slot[1:] if slot.startswith("=") else (titles[slot] if arg == "title" else dates[slot])
        gold.append({"name": tool, "args": args})
    return gold


def _analysis(rng: random.Random, gold: list[dict[str, Any]], date_words: dict[str, str]) -> str:
    def one(call: dict[str, Any]) -> str:
        a = call["args"]
        if call["name"] == "add_task":
            key = "add_task_dated" if "due_date" in a else "add_task"
            return rng.choice(ANALYSIS[key]).format(title=a["title"], date=a.get("due_date"))
        return rng.choice(ANALYSIS[call["name"]]).format(title=a.get("title"), status=a.get("status"))

    if len(gold) == 1:
        return one(gold[0])
    if [c["name"] for c in gold] == ["delete_task", "add_task"] and gold[0]["args"]["title"] == gold[1]["args"]["title"]:
        return rng.choice(ANALYSIS["reschedule"]).format(title=gold[1]["args"]["title"], date=gold[1]["args"].get("due_date"))
    summary = "; ".join(one(c).rstrip(".") for c in gold)
    return rng.choice(ANALYSIS["multi"]).format(n=len(gold), summary=summary)


def _response(rng: random.Random, outcome, gold, date_words) -> str:
    if isinstance(outcome, str):
        return format_final(rng.choice(REPLIES[outcome]))
    return format_action(gold, _analysis(rng, gold, date_words))


def _random_task(rng: random.Random, title: str, today: dt.date, status: Optional[str] = None) -> dict[str, Any]:
    due = None if rng.random() < 0.4 else (today + dt.timedelta(days=rng.randrange(-10, 30))).isoformat()
    return {"title": title, "due_date": due, "status": status or rng.choice(["open", "open", "done"])}


def _one_sample(rng: random.Random, split: str, category: str, pool: list[str]) -> dict[str, Any]:
    today = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    picks = rng.sample(pool, 6)
    typed = {f"t{i}": _surface(rng, picks[i - 1]) for i in (1, 2, 3)}
    titles = {k: normalize_title(v) for k, v in typed.items()}
    date_pairs = {f"d{i}": date_expression(rng, today) for i in (1, 2)}
    date_words = {k: v[0] for k, v in date_pairs.items()}
    dates = {k: v[1] for k, v in date_pairs.items()}
    slots = {**typed, **date_words}

    families = split_families(split)[category]
    index = rng.randrange(len(families))
    earlier, last = families[index]
    template_id = f"{category}/{split}/{index}"

    # Tasks already in the store: whatever the calls refer to, plus distractors.
    referenced = {s for _, calls in [*earlier, last] if not isinstance(calls, str)
                  for _, spec in calls for a, s in spec.items() if a == "title"}
    needs_existing = {s for _, calls in [*earlier, last] if not isinstance(calls, str)
                      for tool, spec in calls if tool in ("complete_task", "delete_task") for s in spec.values()}
    added_in_history = {s for _, calls in earlier if not isinstance(calls, str)
                        for tool, spec in calls if tool == "add_task" for s in spec.values()}
    tasks = [_random_task(rng, titles[s], today, "open") for s in sorted(needs_existing - added_in_history)]
    tasks += [_random_task(rng, normalize_title(p), today) for p in picks[3:3 + rng.randrange(0, 4)]]
    rng.shuffle(tasks)

    store = TaskStore.from_snapshot(tasks)
    history: list[dict[str, str]] = []
    for text, calls in earlier:
        gold = [] if isinstance(calls, str) else _resolve_calls(calls, titles, dates)
        reply = _response(rng, calls, gold, date_words)
        history += [{"role": "user", "content": _fill(text, slots)}, {"role": "assistant", "content": reply}]
        if gold:
            history.append(tool_results_message(execute(gold, store, today)))
    text, outcome = last
    user = _fill(text, slots)
    if rng.random() < 0.3 and not user.startswith("{"):
        user = user[:1].upper() + user[1:]
    gold = [] if isinstance(outcome, str) else _resolve_calls(outcome, titles, dates)
    return {
        "today": today.isoformat(),
        "category": category,
        "template_id": template_id,
        "tasks": tasks,
        "messages": history + [{"role": "user", "content": user}],
        "gold": gold,
        "target": _response(rng, outcome, gold, date_words),
    }


def generate_split(split: str, n: int, seed: int, taken: Iterable[str] = ()) -> list[dict[str, Any]]:
    """n rows of one split, categories in equal shares; skips user messages in `taken`."""
    rng = random.Random(f"{seed}-{split}")
    pool = _Splitter(seed).phrases[split]
    seen_elsewhere = set(taken)
    rows = []
    for i in range(n):
        category = CATEGORIES[i % len(CATEGORIES)]
        for _ in range(100):
            sample = _one_sample(rng, split, category, pool)
            if sample["messages"][-1]["content"] not in seen_elsewhere:
                break
        else:
            raise RuntimeError(f"could not make a {category} row for {split} unseen in training")
        rows.append({"id": f"{split}-{i:05d}", **sample})
    rng.shuffle(rows)
    return rows


def validate_sample(row: dict[str, Any] | Row) -> list[str]:
    """Problems with a generated row (empty list = fine): the target parses strictly to exactly
    the gold calls, and the gold executes without error against the prepared store."""
    row = row if isinstance(row, Row) else Row.model_validate(row)
    problems = []
    parsed = parse_response(row.target or "", "strict")
    if not parsed.ok:
        problems.append(f"target does not parse: {parsed.errors}")
    if [c.model_dump() for c in parsed.calls] != [g.model_dump() for g in row.gold]:
        problems.append("parsed calls differ from gold")
    if row.gold:
        results = execute([g.model_dump() for g in row.gold], row.prepare_store(), row.today)
        problems += [f"gold call failed: {r['message']}" for r in results if r["status"] != "success"]
    for m in row.history()[:-1]:
        if m["role"] == "tool" and '"status": "error"' in m["content"]:
            problems.append("history holds a failed tool call")
    return problems


def _user_messages(rows: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for r in rows for m in r["messages"] if m["role"] == "user"]


def overlap_report(splits: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Cross-split overlaps of user messages, template ids, phrasings and task phrases (titles)."""
    def titles(rows):
        return {title_key(g["args"]["title"]) for r in rows for g in r["gold"] if "title" in g["args"]}

    report = {}
    for other in ("validation", "test"):
        a, b = splits["train"], splits[other]
        report[f"train_vs_{other}"] = {
            "user_messages": len(set(_user_messages(a)) & set(_user_messages(b))),
            "final_user_messages": len({r["messages"][-1]["content"] for r in a} & {r["messages"][-1]["content"] for r in b}),
            "template_ids": len({r["template_id"] for r in a} & {r["template_id"] for r in b}),
            # the phrasings themselves, without slots, punctuation and polite wrappers
            "phrasings": family_core_overlap("train", other),
            "gold_titles": len(titles(a) & titles(b)),
        }
    return report


def generate_dataset(sizes: Optional[dict[str, int]] = None, seed: int = 3407) -> dict[str, list[dict[str, Any]]]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    splits: dict[str, list[dict[str, Any]]] = {}
    splits["train"] = generate_split("train", sizes["train"], seed)
    train_messages = set(_user_messages(splits["train"]))
    for split in ("validation", "test"):
        splits[split] = generate_split(split, sizes[split], seed, taken=train_messages)
    return splits


def dataset_card(splits: dict[str, list[dict[str, Any]]], seed: int) -> dict[str, Any]:
    counts = {s: dict(sorted(collections.Counter(r["category"] for r in rows).items())) for s, rows in splits.items()}
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "sizes": {s: len(rows) for s, rows in splits.items()},
        "counts_per_category": counts,
        "min_category_share": {s: round(min(c.values()) / len(splits[s]), 4) for s, c in counts.items()},
        "unique_user_messages": {s: len(set(r["messages"][-1]["content"] for r in rows)) for s, rows in splits.items()},
        "unique_task_titles": {s: len({title_key(g["args"]["title"]) for r in rows for g in r["gold"] if "title" in g["args"]})
                               for s, rows in splits.items()},
        "template_families": {s: len({r["template_id"] for r in rows}) for s, rows in splits.items()},
        "today_range": [FIRST_DAY.isoformat(), LAST_DAY.isoformat()],
        "overlap": overlap_report(splits),
        "title_rule": "strip spaces, surrounding quotes and trailing punctuation; upper-case the first letter; keep the user's words",
    }


def check_splits(splits: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Raise if any split overlaps training, or a category is under 5% of a split."""
    report = overlap_report(splits)
    for pair, counts in report.items():
        bad = {k: v for k, v in counts.items() if v}
        if bad:
            raise AssertionError(f"{pair} overlaps: {bad}")
    for split, rows in splits.items():
        shares = collections.Counter(r["category"] for r in rows)
        if set(shares) != set(CATEGORIES) or min(shares.values()) < 0.05 * len(rows):
            raise AssertionError(f"{split}: unbalanced categories {dict(shares)}")
    return report


def write_dataset(out_dir: str | Path, sizes: Optional[dict[str, int]] = None, seed: int = 3407) -> dict[str, Any]:
    """Generate, validate, check the splits and write {split}.jsonl + dataset_card.json."""
    splits = generate_dataset(sizes, seed)
    for rows in splits.values():
        for row in rows:
            problems = validate_sample(row)
            if problems:
                raise AssertionError(f"{row['id']}: {problems}")
    check_splits(splits)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        with open(out / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    card = dataset_card(splits, seed)
    card["sha256"] = {s: hashlib.sha256((out / f"{s}.jsonl").read_bytes()).hexdigest() for s in splits}
    (out / "dataset_card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def main(argv: Optional[list[str]] = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description="Generate the taskagent dataset.")
    ap.add_argument("--out", default="outputs/data")
    ap.add_argument("--seed", type=int, default=3407)
    for split, n in DEFAULT_SIZES.items():
        ap.add_argument(f"--{split}", type=int, default=n, help=f"rows (default {n})")
    args = ap.parse_args(argv)
    card = write_dataset(args.out, {s: getattr(args, s) for s in SPLITS}, args.seed)
    print(json.dumps({k: card[k] for k in ("sizes", "unique_user_messages", "overlap")}, indent=2))


if __name__ == "__main__":
    main()
