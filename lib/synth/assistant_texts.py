"""The assistant's side of the data: the one-sentence <analysis> before calls, the <final> replies,
and the reference answer built from them."""

from __future__ import annotations

import random
from typing import Any, Union

from lib.parser import format_action, format_final

ANALYSIS = {
    "add_task_dated": [
        "User wants to add '{title}' due {date}.",
        "The user asks for a new task '{title}' with due date {date}.",
        "Create task '{title}', due {date}.",
        "User needs to remember '{title}' by {date}; add it with that date.",
    ],
    "add_task": [
        "User wants to add '{title}' with no due date.",
        "The user asks for a new task '{title}'; no date was given.",
        "Create task '{title}' without a due date.",
        "Add '{title}' to the list; the user gave no date.",
    ],
    "list_tasks": [
        "User wants to see their {status} tasks.",
        "The user asks for the list of {status} tasks.",
        "Show the {status} tasks.",
    ],
    "summarize_tasks": [
        "User wants a summary of their tasks.",
        "The user asks how many tasks they have.",
        "Summarize the task counts.",
    ],
    "complete_task": [
        "User finished '{title}'; mark it done.",
        "The user says '{title}' is done.",
        "Mark task '{title}' as completed.",
    ],
    "delete_task": [
        "User wants to delete '{title}'.",
        "The user asks to remove the task '{title}'.",
        "Delete task '{title}' from the list.",
    ],
    "multi": [
        "The user asks for {n} things: {summary}.",
        "Several requests in one message: {summary}.",
        "Handle {n} requests in order: {summary}.",
    ],
    "update_task_date": [
        "User wants '{title}' moved to {date}.",
        "Change the due date of '{title}' to {date}.",
        "The user reschedules '{title}' for {date}.",
    ],
    "update_task_title": [
        "User wants '{title}' renamed to '{new_title}'.",
        "Rename task '{title}' to '{new_title}'.",
    ],
    "update_task_undate": [
        "User wants the due date removed from '{title}'.",
        "Clear the due date of '{title}'.",
    ],
    "update_task_reopen": [
        "User says '{title}' is not done; reopen it.",
        "Reopen task '{title}'.",
    ],
    "restore_task": [
        "User wants '{title}' back from the trash.",
        "Restore the deleted task '{title}'.",
        "The user deleted '{title}' by mistake; restore it.",
    ],
}

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


def analysis_sentence(rng: random.Random, calls: list[dict[str, Any]]) -> str:
    """The <analysis> sentence for these calls (dates in the user's words, as the calls hold them)."""
    def one(call: dict[str, Any]) -> str:
        a = call["args"]
        return rng.choice(ANALYSIS[_key(call)]).format(title=a.get("title"), date=a.get("due_date"),
                                                       status=a.get("status"), new_title=a.get("new_title"))

    if len(calls) == 1:
        return one(calls[0])
    summary = "; ".join(one(c).rstrip(".") for c in calls)
    return rng.choice(ANALYSIS["multi"]).format(n=len(calls), summary=summary)


def reference_answer(rng: random.Random, outcome: Union[str, list], calls: list[dict[str, Any]]) -> str:
    """The reference response: a <final> reply for a reply key, else analysis + the calls (due
    dates as the user said them: the executor resolves them)."""
    if isinstance(outcome, str):
        return format_final(rng.choice(REPLIES[outcome]))
    return format_action(calls, analysis_sentence(rng, calls))
