"""The slot language every template is written in, defined once.

A template is `(text, outcome)`:
- `text` is what the user types, with slots: `{t1}` `{t2}` `{t3}` task phrases ("buy oat milk"),
  `{t1.obj}` the thing of a task phrase ("oat milk"), `{t1.past}` it said as done ("bought oat
  milk"), and `{d1}` `{d2}` date expressions ("by next Friday"), filled per row by `fill`.
- `outcome` is either a reply key (a `str`, e.g. "greeting": the answer is a `<final>` reply from
  `lib.synth.assistant_texts.REPLIES`) or the calls the answer makes: a list of
  `(tool, {argument: slot})`. A slot value names a slot ("t1", "t1.obj", "d1") whose filled value
  becomes the argument, or is a literal written `literal("open")` (stored as "=open";
  `literal(None)` is the value None, e.g. update_task(due_date=None) clears a date).
A date slot gives the reference answer the user's own words (without a leading "by"/"on"/...),
which lib.dates resolves; the gold calls in the data files hold the resolved ISO date.
"""

from __future__ import annotations

import re
from typing import Any, Union

Calls = list[tuple[str, dict[str, str]]]
Template = tuple[str, Union[Calls, str]]

SLOT_RE = re.compile(r"\{([td])\d(?:\.(obj|past))?\}")  # t = a task phrase, d = a date expression
_LITERAL = "="
_NONE = _LITERAL + "None"


def literal(value: str | None) -> str:
    """An argument value written as is, not taken from a slot."""
    return _NONE if value is None else _LITERAL + value


def slot_names(calls: Calls) -> set[str]:
    """The task slots ("t1", "t2") whose tasks these calls name, whatever form they use."""
    return {v.split(".")[0] for _, spec in calls for k, v in spec.items()
            if k in ("title", "new_title") and not v.startswith(_LITERAL)}


def fill(text: str, slots: dict[str, str]) -> str:
    """The template text with each `{slot}` replaced by its value."""
    for k, v in slots.items():
        text = text.replace("{" + k + "}", v)
    return text


def resolve_calls(calls: Calls, titles: dict[str, str], dates: dict[str, str]) -> list[dict[str, Any]]:
    """The calls of a template: titles from the task slots, dates from the date slots (ISO dates
    for the gold, the user's words for the reference answer: whichever `dates` holds)."""
    out = []
    for tool, spec in calls:
        args: dict[str, Any] = {}
        for arg, slot in spec.items():
            if slot == _NONE:
                args[arg] = None
            elif slot.startswith(_LITERAL):
                args[arg] = slot[len(_LITERAL):]
            else:
                args[arg] = dates[slot] if arg == "due_date" else titles[slot]
        out.append({"name": tool, "args": args})
    return out


# The calls most templates make.
ADD_D: Calls = [("add_task", {"title": "t1", "due_date": "d1"})]
ADD: Calls = [("add_task", {"title": "t1"})]
ADD_T2: Calls = [("add_task", {"title": "t2"})]
DONE: Calls = [("complete_task", {"title": "t1"})]
DEL: Calls = [("delete_task", {"title": "t1"})]
SUM: Calls = [("summarize_tasks", {})]
DONE_OBJ: Calls = [("complete_task", {"title": "t1.obj"})]  # "I bought the oat milk"
MOVE: Calls = [("update_task", {"title": "t1", "due_date": "d1"})]
RENAME: Calls = [("update_task", {"title": "t1", "new_title": "t2"})]
UNDATE: Calls = [("update_task", {"title": "t1", "due_date": literal(None)})]
REOPEN: Calls = [("update_task", {"title": "t1", "status": literal("open")})]
RESTORE: Calls = [("restore_task", {"title": "t1"})]


def LIST(status: str) -> Calls:
    return [("list_tasks", {"status": literal(status)})]
