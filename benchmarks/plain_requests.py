"""Sixteen plain everyday requests through the agent, as a user of the widget would type them:
does each end in the right state? A sanity probe, not a split: written on 2026-11-28 after that
session's rules of code were fixed, and never to be used to choose data or settings (that is
validation's job; test and the hand-written set outside the project judge).

    python benchmarks/plain_requests.py --adapter outputs/adapters/cpu

Each request starts from its own store (today: Wednesday 2026-11-25), runs greedy and with the
checked second try (as the widget does), and is checked against the store it should leave.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.agent import Agent  # noqa: E402
from lib.store import TaskStore  # noqa: E402

TODAY = dt.date(2026, 11, 25)  # Wednesday
CASES = [  # (store before: [(title, due, status, deleted)], message, expected after: [(words, due, status, deleted)])
    ([], "add buy oat milk tomorrow", [("oat milk", "2026-11-26", "open", False)]),
    ([], "remind me to call the dentist on Friday", [("dentist", "2026-11-27", "open", False)]),
    ([], "put pick up the dry cleaning on my list for saturday", [("dry cleaning", "2026-11-28", "open", False)]),
    ([], "add a reminder to text Sam in 3 days", [("sam", "2026-11-28", "open", False)]),
    ([], "add book flights for the 12th", [("flights", "2026-12-12", "open", False)]),
    ([], "add pay the electricity bill", [("electricity", None, "open", False)]),
    ([], "can you add water the plants", [("plants", None, "open", False)]),
    ([("Write the report", None, "open", False)], "I finished the report", [("report", None, "done", False)]),
    ([("Go to the gym", None, "open", False)], "delete the gym one", [("gym", None, "open", True)]),
    ([("Call mom", None, "done", False)], "undo the completion of call mom", [("mom", None, "open", False)]),
    ([("Buy groceries", None, "open", True)], "bring back the groceries task", [("groceries", None, "open", False)]),
    ([("Call the dentist", "2026-11-27", "open", False)], "move the dentist to next Tuesday",
     [("dentist", "2026-12-01", "open", False)]),
    ([("Buy milk", None, "open", False)], "rename buy milk to buy oat milk", [("oat milk", None, "open", False)]),
    ([("Buy milk", None, "open", False)], "what's on my list?", [("milk", None, "open", False)]),
    ([], "I'd like to add a to-do", []),
    ([], "what's the weather like today?", []),
]


def store_with(tasks):
    return TaskStore.from_snapshot([{"title": t, "due_date": d, "status": s, "deleted": x} for t, d, s, x in tasks])


def state(store):
    return [(t["title"], t["due_date"], t["status"], bool(t.get("deleted"))) for t in store.snapshot()]


def matches(got, expected):
    if len(got) != len(expected):
        return False
    left = list(got)
    for words, due, status, deleted in expected:
        hit = next((g for g in left if all(w in g[0].lower() for w in words.split()) and g[1:] == (due, status, deleted)), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--adapter", required=True, help="a LoRA adapter folder (its base model comes with it)")
    a = p.parse_args()
    from lib.generation import make_alternatives_fn, make_generate_fn
    from lib.model import adapter_base_model, load_model

    model, tok = load_model(adapter_base_model(a.adapter), 2048, adapter_dir=a.adapter)
    generate, alternatives = make_generate_fn(model, tok), make_alternatives_fn(model, tok)
    ok = {"greedy": 0, "retry": 0}
    for before, message, expected in CASES:
        row = {}
        for name, alts in (("greedy", None), ("retry", alternatives)):
            store = store_with(before)
            turn = Agent(generate, store, today=TODAY, alternatives=alts).send(message)
            good = matches(state(store), expected)
            ok[name] += good
            row[name] = [good, turn.raw.split("<action>")[-1].strip()[:70].replace("\n", " ")]
        print(json.dumps({"message": message, **row}))
    print(json.dumps({"right_state": ok, "of": len(CASES)}))


if __name__ == "__main__":
    main()
