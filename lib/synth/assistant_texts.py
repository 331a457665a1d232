"""The assistant's side of the data: the one-sentence <analysis> before calls, the <final> replies,
and the reference answer built from them."""

from __future__ import annotations

import random
from typing import Any, Union

from lib.parser import format_action, format_final

# One intent-first sentence per kind of call, its first word naming the action. v2.1 drew one of
# 2-4 wordings ("The user asks to remove the task 'X'", "The user deleted 'X' by mistake; restore
# it"): a 135M model then confused delete and restore, and learned the tool better from one fixed
# sentence (docs/benchmarks.md, E11/E12). Dates stay in the user's words, as the calls hold them.
ANALYSIS = {
    "add_task_dated": "Add '{title}' due {date}.",
    "add_task": "Add '{title}' with no due date.",
    "list_tasks": "Show {which} tasks.",
    "summarize_tasks": "Summarize the tasks.",
    "complete_task": "Mark '{title}' done.",
    "delete_task": "Delete '{title}'.",
    "update_task_date": "Move '{title}' to {date}.",
    "update_task_title": "Rename '{title}' to '{new_title}'.",
    "update_task_undate": "Clear the due date of '{title}'.",
    "update_task_reopen": "Reopen '{title}'.",
    "restore_task": "Restore '{title}' from the trash.",
    "multi": "{n} requests: {summary}.",
}

# How many wordings v2.1 drew from per kind of call. The draw is kept (its result unused) so that
# every split's rows -- requests, tasks, dates -- stay exactly those of v2.1 and figures compare.
_V21_WORDINGS = {"add_task_dated": 4, "add_task": 4, "list_tasks": 3, "summarize_tasks": 3, "complete_task": 3,
                 "delete_task": 3, "update_task_date": 3, "update_task_title": 2, "update_task_undate": 2,
                 "update_task_reopen": 2, "restore_task": 3, "multi": 3}

REPLIES = {
    "greeting": [
        "Hello! How can I help you manage your tasks today?",
        "Hi! I can add, list, summarize, complete or delete your tasks. What would you like to do?",
        "Hey there! What can I do for your task list?",
    ],
    "thanks": [
        "You're welcome! Anything else for your task list?",
        "Happy to help! Let me know if you need anything else.",
        "Anytime! Tell me if there's another task to manage.",
    ],
    "capabilities": [
        "I manage your task list: I can add tasks (with or without a due date), list them, summarize them, mark them done, change them, delete them and restore deleted ones.",
        "I can add tasks with optional due dates, show your open, done or all tasks, give you a summary, complete, rename or reschedule tasks, and delete or restore them.",
    ],
    "out_of_scope": [
        "Sorry, I can't help with that. I can only manage your tasks: add, list, summarize, complete or delete them.",
        "That's outside what I can do. I'm a task assistant: I can add, list, summarize, complete and delete tasks.",
        "I can't do that, but I can manage your to-do list. Want me to add a task for it?",
    ],
    "clarification": [
        "Sure! What should the task be called?",
        "Happy to add it. What's the task?",
        "What would you like the task to say?",
    ],
    "negation": [
        "Okay, I won't add anything.",
        "Got it, nothing added. Let me know if you change your mind.",
        "No problem, your list stays as it is.",
    ],
    "goodbye": [
        "Goodbye! Your tasks are saved.",
        "See you later!",
    ],
}


def _key(call: dict[str, Any]) -> str:
    a = call["args"]
    if call["name"] == "add_task":
        return "add_task_dated" if "due_date" in a else "add_task"
    if call["name"] == "update_task":
        if "new_title" in a:
            return "update_task_title"
        if "status" in a:
            return "update_task_reopen"
        return "update_task_date" if a.get("due_date") else "update_task_undate"
    return call["name"]


def analysis_sentence(calls: list[dict[str, Any]]) -> str:
    """The <analysis> sentence for these calls (dates in the user's words, as the calls hold them)."""
    def one(call: dict[str, Any]) -> str:
        a = call["args"]
        status = a.get("status", "open")
        which = "all" if status == "all" else f"the {status}"  # "Show all tasks.", not "the all tasks"
        return ANALYSIS[_key(call)].format(title=a.get("title"), date=a.get("due_date"), which=which,
                                           new_title=a.get("new_title"))

    if len(calls) == 1:
        return one(calls[0])
    return ANALYSIS["multi"].format(n=len(calls), summary="; ".join(one(c).rstrip(".") for c in calls))


def _v21_draws(rng: random.Random, calls: list[dict[str, Any]]) -> None:
    """The random draws v2.1's varied wordings made, in the same order (see _V21_WORDINGS)."""
    for call in calls:
        rng.randrange(_V21_WORDINGS[_key(call)])
    if len(calls) > 1:
        rng.randrange(_V21_WORDINGS["multi"])


def reference_answer(rng: random.Random, outcome: Union[str, list], calls: list[dict[str, Any]]) -> str:
    """The reference response: a <final> reply for a reply key, else analysis + the calls (due
    dates as the user said them: the executor resolves them)."""
    if isinstance(outcome, str):
        return format_final(rng.choice(REPLIES[outcome]))
    _v21_draws(rng, calls)
    return format_action(calls, analysis_sentence(calls))
