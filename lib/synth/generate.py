"""The synthetic dataset generator.

Every row has its own `today` (2024-2028), so dates are learned relative to the prompt. Each row
picks a category (equal shares), a template family of its split (lib.synth.families), task phrases
of its split (70/15/15 by phrase) and date expressions; the store before the conversation holds
whatever the calls refer to plus a few distractors. Validation and test never see a training
phrasing, family or task phrase (lib.synth.checks verifies it before anything is written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path
from typing import Any, Iterable, Optional

from lib.dataset import normalize_title
from lib.executor import execute
from lib.prompts import tool_results_message
from lib.store import TaskStore
from lib.synth.assistant_texts import reference_answer
from lib.synth.checks import check_splits, dataset_card, user_messages, validate_sample
from lib.synth.date_phrases import date_expression
from lib.synth.families import split_families
from lib.synth.slots import fill, resolve_calls
from lib.synth.task_phrases import task_phrases
from lib.synth.templates import CATEGORIES, SPLITS

GENERATOR_VERSION = "1.2"
DEFAULT_SIZES = {"train": 1600, "validation": 240, "test": 360}
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 1), dt.date(2028, 12, 31)


def _surface(rng: random.Random, phrase: str) -> str:
    """How the user types a phrase: mostly as is, sometimes capitalised or shouted."""
    r = rng.random()
    if r < 0.25:
        return phrase[:1].upper() + phrase[1:]
    if r < 0.28:
        return phrase.upper()
    return phrase


def phrases_by_split(seed: int) -> dict[str, list[str]]:
    """The task phrases of each split: a seeded 70/15/15 cut of the whole bank."""
    phrases = sorted(set(task_phrases()))
    random.Random(f"phrases-{seed}").shuffle(phrases)
    n = len(phrases)
    cut1, cut2 = int(n * 0.7), int(n * 0.85)
    return {"train": phrases[:cut1], "validation": phrases[cut1:cut2], "test": phrases[cut2:]}


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
    turns = [*earlier, last]
    needs_existing = {s for _, calls in turns if not isinstance(calls, str)
                      for tool, spec in calls if tool in ("complete_task", "delete_task") for s in spec.values()}
    added_in_history = {s for _, calls in earlier if not isinstance(calls, str)
                        for tool, spec in calls if tool == "add_task" for s in spec.values()}
    tasks = [_random_task(rng, titles[s], today, "open") for s in sorted(needs_existing - added_in_history)]
    tasks += [_random_task(rng, normalize_title(p), today) for p in picks[3:3 + rng.randrange(0, 4)]]
    rng.shuffle(tasks)

    store = TaskStore.from_snapshot(tasks)
    history: list[dict[str, str]] = []
    for text, calls in earlier:
        gold = [] if isinstance(calls, str) else resolve_calls(calls, titles, dates)
        reply = reference_answer(rng, calls, gold)
        history += [{"role": "user", "content": fill(text, slots)}, {"role": "assistant", "content": reply}]
        if gold:
            history.append(tool_results_message(execute(gold, store, today)))
    text, outcome = last
    user = fill(text, slots)
    if rng.random() < 0.3 and not user.startswith("{"):
        user = user[:1].upper() + user[1:]
    gold = [] if isinstance(outcome, str) else resolve_calls(outcome, titles, dates)
    return {
        "today": today.isoformat(),
        "category": category,
        "template_id": template_id,
        "tasks": tasks,
        "messages": history + [{"role": "user", "content": user}],
        "gold": gold,
        "target": reference_answer(rng, outcome, gold),
    }


def generate_split(split: str, n: int, seed: int, taken: Iterable[str] = ()) -> list[dict[str, Any]]:
    """n rows of one split, categories in equal shares; skips user messages in `taken`."""
    rng = random.Random(f"{seed}-{split}")
    pool = phrases_by_split(seed)[split]
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


def generate_dataset(sizes: Optional[dict[str, int]] = None, seed: int = 3407) -> dict[str, list[dict[str, Any]]]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    splits: dict[str, list[dict[str, Any]]] = {}
    splits["train"] = generate_split("train", sizes["train"], seed)
    train_messages = set(user_messages(splits["train"]))
    for split in ("validation", "test"):
        splits[split] = generate_split(split, sizes[split], seed, taken=train_messages)
    return splits


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
    card = dataset_card(splits, seed, GENERATOR_VERSION, (FIRST_DAY.isoformat(), LAST_DAY.isoformat()))
    card["sha256"] = {s: hashlib.sha256((out / f"{s}.jsonl").read_bytes()).hexdigest() for s in SPLITS}
    (out / "dataset_card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card
