"""The slot language every template is written in, defined once.

A template is `(text, outcome)`:
- `text` is what the user types, with slots: `{t1}` `{t2}` `{t3}` task phrases and `{d1}` `{d2}`
  date expressions, filled per row by `fill`.
- `outcome` is either a reply key (a `str`, e.g. "greeting": the answer is a `<final>` reply from
  `lib.synth.assistant_texts.REPLIES`) or the calls the answer makes: a list of
  `(tool, {argument: slot})`. A slot value names a slot ("t1", "d1") whose filled value becomes the
  argument, or is a literal written `literal("open")` (stored as "=open").
"""

from __future__ import annotations

import re
from typing import Any, Union

Calls = list[tuple[str, dict[str, str]]]
Template = tuple[str, Union[Calls, str]]

SLOT_RE = re.compile(r"\{([td])\d\}")  # t = a task phrase, d = a date expression
_LITERAL = "="


def literal(value: str) -> str:
    """An argument value written as is, not taken from a slot."""
    return _LITERAL + value


def fill(text: str, slots: dict[str, str]) -> str:
    """The template text with each `{slot}` replaced by its value."""
    for k, v in slots.items():
        text = text.replace("{" + k + "}", v)
    return text


def resolve_calls(calls: Calls, titles: dict[str, str], dates: dict[str, str]) -> list[dict[str, Any]]:
    """The gold calls of a template: titles from the task slots, dates from the date slots."""
    gold = []
    for tool, spec in calls:
        args = {}
        for arg, slot in spec.items():
            if slot.startswith(_LITERAL):
                args[arg] = slot[len(_LITERAL):]
            else:
                args[arg] = titles[slot] if arg == "title" else dates[slot]
        gold.append({"name": tool, "args": args})
    return gold


# The calls most templates make.
ADD_D: Calls = [("add_task", {"title": "t1", "due_date": "d1"})]
ADD: Calls = [("add_task", {"title": "t1"})]
ADD_T2: Calls = [("add_task", {"title": "t2"})]
DONE: Calls = [("complete_task", {"title": "t1"})]
DEL: Calls = [("delete_task", {"title": "t1"})]
SUM: Calls = [("summarize_tasks", {})]


def LIST(status: str) -> Calls:
    return [("list_tasks", {"status": literal(status)})]
