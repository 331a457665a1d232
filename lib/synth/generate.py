"""The synthetic dataset generator.

Every row has its own `today` (2024-2028), so dates are learned relative to the prompt. Each row
picks a category (equal shares; training gives dated adds two), a template family of its split
(lib.synth.families), task phrases of its split (70/15/15 by phrase) and date expressions; the
store before the conversation holds whatever the calls refer to plus a few distractors.
Validation and test never see a training phrasing, family or task phrase (lib.synth.checks
verifies it before anything is written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any, Iterable, Optional

from lib.dataset import normalize_title
from lib.executor import execute
from lib.prompts import tool_results_message
from lib.store import TaskStore
from lib.synth.assistant_texts import reference_answer
from lib.synth.checks import APPENDED_ID_MARK, check_splits, dataset_card, user_messages, validate_sample
from lib.synth.date_phrases import date_argument, date_expression
from lib.synth.families import hand_written_count, split_families, train_v3
from lib.synth.slots import fill, literal, resolve_calls
from lib.synth.task_phrases import TRAIN_ONLY_PHRASES, phrase_forms, task_phrases
from lib.synth.templates import CATEGORIES, SPLITS

# 2.4.1: test v2, 43 more held-out test families (81 instead of 38); training and validation rows
# are 2.4's byte for byte (tests/test_synth_heldout.py)
# 2.4.3: training-only task phrases with typographic quotes (TRAIN_ONLY_PHRASES); validation and
# test rows are 2.4.1's byte for byte
# 2.4.5: validation v3, eight more update families (lib.synth.templates) drawn only by
# VALIDATION_V3_SHARE rows appended to validation; training, test and validation's first 240 rows are
# 2.4.3's byte for byte
# 2.5.0: training v3, 48 first-person and question forms of update (lib.synth.templates.TRAIN_V3)
# drawn only by TRAIN_V3_SHARE rows appended to training; every 2.4.5 row is unchanged
# 2.6.0: validation v4 (36 rows: a finished task said as a fact, alone or beside a request) and
# training v3's multi_intent rows (64, lib.synth.compose.done_fact_multi_intent), both appended; every
# 2.5.0 row is unchanged
GENERATOR_VERSION = "2.6.0"
DEFAULT_SIZES = {"train": 1600, "validation": 240, "test": 360}
# Validation v3: its update families past the first twelve are v3's, drawn only by these extra rows
# (a tenth of validation's size: 24, three per family, at the default 240), so that adding them
# changed none of the rows that earlier figures were read on.
V2_FAMILIES = {("validation", "update"): 12, ("validation", "multi_intent"): 8, ("validation", "complete"): 8}
# Validation v4 (2026-11-30): six multi_intent and three complete families that say a finished task as
# a fact (lib.synth.templates), appended the same way: 24 and 12 rows, four per family.
VALIDATION_V3_SHARE = {"update": 0.1, "multi_intent": 0.1, "complete": 0.05}
# Training v3: 64 more update rows (4% of 1,600, one or two per TRAIN_V3 family), appended the same way.
# 2.6.0: 64 more multi_intent rows (4%, as many as 2.5.2 appended), one per composed done-statement
# family (lib.synth.compose.done_fact_multi_intent).
TRAIN_V3_SHARE = {"update": 0.04, "multi_intent": 0.04}
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 1), dt.date(2028, 12, 31)


def _surface(rng: random.Random, phrase: str) -> str:
    """How the user types a phrase: mostly as is, sometimes capitalised or shouted."""
    r = rng.random()
    if r < 0.25:
        return phrase[:1].upper() + phrase[1:]
    if r < 0.28:
        return phrase.upper()
    return phrase


# Training rows only: people type fast. Held-out rows stay as their templates say.
_CHATTER_BEFORE = ["ugh, ", "ok so ", "hmm, ", "quick thing: ", "hey there, ", "morning! ", "right, so ", "one thing - "]
_CHATTER_AFTER = [" 🙏", " 👍", " :)", " asap", " if you can", " thanks!!", " cheers", " ty", " 😊", "!!", " please and thanks"]


def _typo(rng: random.Random, text: str) -> str:
    """One slip in a word of the template's own text (never inside a slot)."""
    words = [(m.start(), m.end()) for m in re.finditer(r"(?<![{\w.])[A-Za-z]{4,}(?![\w}])", text)]
    if not words:
        return text
    a, b = rng.choice(words)
    word = text[a:b]
    i = rng.randrange(1, len(word) - 2)
    slip = word[:i] + word[i + 1] + word[i] + word[i + 2:] if rng.random() < 0.5 else word[:i] + word[i + 1:]
    return text[:a] + slip + text[b:]


def _noisy(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.08:
        text = _typo(rng, text)
    elif r < 0.14:
        text = rng.choice(_CHATTER_BEFORE) + text
    elif r < 0.20 and not text.endswith("?"):
        text = text + rng.choice(_CHATTER_AFTER)
    elif r < 0.25:
        text = text.lower()
    return text


def phrases_by_split(seed: int) -> dict[str, list[str]]:
    """The task phrases of each split: a seeded 70/15/15 cut of the whole bank, and the training-only
    phrases added to training's share after the cut (so the cut itself never moves)."""
    phrases = sorted(set(task_phrases()))
    random.Random(f"phrases-{seed}").shuffle(phrases)
    n = len(phrases)
    cut1, cut2 = int(n * 0.7), int(n * 0.85)
    return {"train": phrases[:cut1] + TRAIN_ONLY_PHRASES, "validation": phrases[cut1:cut2], "test": phrases[cut2:]}


def _random_task(rng: random.Random, title: str, today: dt.date, state: Optional[str] = None) -> dict[str, Any]:
    """A task in the store before the conversation; state "open", "done", "deleted" (in the trash) or random."""
    due = None if rng.random() < 0.4 else (today + dt.timedelta(days=rng.randrange(-10, 30))).isoformat()
    state = state or rng.choice(["open", "open", "done"])
    task = {"title": title, "due_date": due, "status": "done" if state == "done" else "open"}
    return {**task, "deleted": True} if state == "deleted" else task


def _required_states(turns: list) -> dict[str, str]:
    """The state each task slot must be in before the conversation, from the first call naming it."""
    states: dict[str, str] = {}
    for _, calls in turns:
        if isinstance(calls, str):
            continue
        for tool, spec in calls:
            slot = spec.get("title", "=").split(".")[0]
            if slot.startswith("=") or slot in states:
                continue
            if tool == "add_task":
                states[slot] = "new"
            elif tool == "restore_task":
                states[slot] = "deleted"
            elif tool == "update_task" and spec.get("status") == literal("open"):
                states[slot] = "done"
            elif tool in ("complete_task", "delete_task", "update_task"):
                states[slot] = "open"
    return states


def first_v3_family(split: str, category: str) -> int:
    """How many of a split's families come before its v3 ones (all of them where it has none)."""
    families = split_families(split)[category]
    if split == "train":
        return len(families) - len(train_v3().get(category, ()))
    return V2_FAMILIES.get((split, category), len(families))


def _family(rng: random.Random, split: str, category: str, v3: Optional[int] = None) -> tuple[int, Any]:
    """A family of this split. Training picks a hand-written family 40% of the time: they hold the
    plainest everyday forms ("add X tomorrow"), which the composed hundreds would otherwise drown.
    `v3`: the v3 row's number, which picks the split's v3 families in turn (first_v3_family);
    without it, never one of them."""
    families = split_families(split)[category]
    first_v3 = first_v3_family(split, category)
    if v3 is not None:
        index = first_v3 + v3 % (len(families) - first_v3)
        return index, families[index]
    families = families[:first_v3]
    hand_written = hand_written_count(split, category)
    if split == "train" and category != "multi_turn" and rng.random() < PLAINEST_SHARE:
        index = 0  # each category's first family is its plainest form ("add {t1} {d1}", "delete {t1}")
    elif split == "train" and hand_written < len(families) and rng.random() < HAND_WRITTEN_SHARE:
        index = rng.randrange(hand_written)
    else:
        index = rng.randrange(len(families))
    return index, families[index]


HAND_WRITTEN_SHARE = 0.4
PLAINEST_SHARE = 0.1
# Training sees dated adds twice as often as any other category: a due date is the argument the
# model gets wrong most (dropped, or left inside the title), and only dated rows teach copying it.
TRAIN_CATEGORY_CYCLE = (*CATEGORIES, "add_dated")
# A share of single-turn training rows starts with an unrelated earlier exchange (a greeting, a
# question about the list), so the answer to the last message does not depend on there being no
# history: a chat session's second message is otherwise unlike anything trained on.
OPENER_SHARE = 0.2
OPENER_CATEGORIES = ("conversation", "list", "summarize")


def _opener(rng: random.Random, category: str) -> list[Any]:
    """An earlier (text, outcome) turn from another category's hand-written training families."""
    source = rng.choice([c for c in OPENER_CATEGORIES if c != category])
    earlier, turn = split_families("train")[source][rng.randrange(hand_written_count("train", source))]
    if source == "conversation" and turn[1] not in ("greeting", "capabilities"):
        return [("hi", "greeting")]  # a "thanks" or "bye" before a request reads oddly
    return [*earlier, turn]


def _one_sample(rng: random.Random, split: str, category: str, pool: list[str], shaped: list[str],
                v3: Optional[int] = None) -> dict[str, Any]:
    today = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    index, (earlier, last) = _family(rng, split, category, v3)
    template_id = f"{category}/{split}/{index}"
    if split == "train" and not earlier and rng.random() < OPENER_SHARE:
        earlier = _opener(rng, category)
    turns = [*earlier, last]
    texts = " ".join(t for t, _ in turns) + " " + " ".join(v for _, c in turns if not isinstance(c, str)
                                                           for _, spec in c for v in spec.values())
    needs_forms = {f"t{i}" for i in (1, 2, 3) if f"t{i}." in texts}
    picks = rng.sample(pool, 6)
    for i in (1, 2, 3):  # a slot said as "bought oat milk" needs a verb + object phrase
        while f"t{i}" in needs_forms and not phrase_forms(picks[i - 1]):
            picks[i - 1] = rng.choice(shaped)
    if len(set(picks)) < len(picks):
        picks = list(dict.fromkeys(picks)) + [p for p in pool if p not in picks][: len(picks) - len(set(picks))]
    typed = {f"t{i}": _surface(rng, picks[i - 1]) for i in (1, 2, 3)}
    if category in ("add_dated", "add_undated") and rng.random() < 0.15 and phrase_forms(typed["t1"]):
        typed["t1"] = phrase_forms(typed["t1"])["obj"]  # "add oat milk": a thing, not a whole phrase
    for i in (1, 2, 3):
        typed.update({f"t{i}.{form}": value for form, value in phrase_forms(typed[f"t{i}"]).items()})
    titles = {k: normalize_title(v) for k, v in typed.items()}
    date_pairs = {f"d{i}": date_expression(rng, today) for i in (1, 2)}
    date_words = {k: v[0] for k, v in date_pairs.items()}
    dates = {k: v[1] for k, v in date_pairs.items()}  # ISO: the gold
    date_args = {k: date_argument(v) for k, v in date_words.items()}  # the user's words: the answer
    slots = {**typed, **date_words}

    # Tasks already in the store: whatever the calls need (open, done or in the trash), plus distractors.
    states = _required_states(turns)
    tasks = [_random_task(rng, titles[s], today, state) for s, state in sorted(states.items()) if state != "new"]
    tasks += [_random_task(rng, normalize_title(p), today) for p in picks[3:3 + rng.randrange(0, 4)]]
    rng.shuffle(tasks)

    store = TaskStore.from_snapshot(tasks)
    history: list[dict[str, str]] = []
    for text, calls in earlier:
        said = [] if isinstance(calls, str) else resolve_calls(calls, titles, date_args)
        reply = reference_answer(rng, calls, said)
        history += [{"role": "user", "content": fill(text, slots)}, {"role": "assistant", "content": reply}]
        if said:
            history.append(tool_results_message(execute(said, store, today)))
    text, outcome = last
    user = fill(_noisy(rng, text) if split == "train" else text, slots)
    if rng.random() < 0.3 and not user.startswith("{"):
        user = user[:1].upper() + user[1:]
    gold = [] if isinstance(outcome, str) else resolve_calls(outcome, titles, dates)
    said = [] if isinstance(outcome, str) else resolve_calls(outcome, titles, date_args)
    return {
        "today": today.isoformat(),
        "category": category,
        "template_id": template_id,
        "tasks": tasks,
        "messages": history + [{"role": "user", "content": user}],
        "gold": gold,
        "target": reference_answer(rng, outcome, said),
    }


def generate_split(split: str, n: int, seed: int, taken: Iterable[str] = (),
                   v3_category: Optional[str] = None) -> list[dict[str, Any]]:
    """n rows of one split, categories in equal shares (training: dated adds twice); skips user
    messages in `taken`. `v3_category`: instead, n rows of that category from the split's v3 families
    (validation v3, training v3), with their own random stream and ids ("validation-v3-update-00000")."""
    rng = random.Random(f"{seed}-{split}" + (f"-v3-{v3_category}" if v3_category else ""))
    pool = phrases_by_split(seed)[split]
    shaped = [p for p in pool if phrase_forms(p)]
    seen_elsewhere = set(taken)
    cycle = (v3_category,) if v3_category else TRAIN_CATEGORY_CYCLE if split == "train" else CATEGORIES
    prefix = f"{split}{APPENDED_ID_MARK}{v3_category}" if v3_category else split
    rows = []
    for i in range(n):
        category = cycle[i % len(cycle)]
        for _ in range(100):
            sample = _one_sample(rng, split, category, pool, shaped, v3=i if v3_category else None)
            if sample["messages"][-1]["content"] not in seen_elsewhere:
                break
        else:
            raise RuntimeError(f"could not make a {category} row for {split} unseen in training")
        rows.append({"id": f"{prefix}-{i:05d}", **sample})
    rng.shuffle(rows)
    return rows


def generate_dataset(sizes: Optional[dict[str, int]] = None, seed: int = 3407) -> dict[str, list[dict[str, Any]]]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    splits: dict[str, list[dict[str, Any]]] = {}
    splits["train"] = generate_split("train", sizes["train"], seed)
    train_messages = set(user_messages(splits["train"]))
    for split in ("validation", "test"):
        splits[split] = generate_split(split, sizes[split], seed, taken=train_messages)
    for category, share in VALIDATION_V3_SHARE.items():  # appended: the rows before them stay as they were
        n = round(share * sizes["validation"])
        splits["validation"] += generate_split("validation", n, seed, train_messages, v3_category=category)
    for category, share in TRAIN_V3_SHARE.items():  # appended last: no row above depends on them
        n = round(share * sizes["train"])
        splits["train"] += generate_split("train", n, seed, v3_category=category)
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
