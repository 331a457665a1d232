"""Run parsed tool calls against a TaskStore.

A block is all-or-nothing: every call is schema-validated first; if any is invalid nothing runs.
The valid block then runs inside one transaction, and if any call fails at run time (no matching
task, ambiguous title) the whole block is rolled back. Every call always gets a result dict, and
nothing here raises on bad model output.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional

from lib.store import TaskStore
from lib.tools import AddTask, CompleteTask, DeleteTask, ListTasks, SummarizeTasks, error_result, validate_call

NOT_RUN = "not_executed"


class _CallFailed(Exception):
    def __init__(self, index: int, result: dict[str, Any]) -> None:
        self.index, self.result = index, result


def _resolve(store: TaskStore, title: str, status: Optional[str], verb: str) -> Any:
    """The one task this title names, or an error result (no match / ambiguous)."""
    matches = store.find(title, status)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        return error_result(
            "ambiguous",
            f"{len(matches)} tasks are titled '{title}'; nothing was {verb}. Be more specific.",
            candidates=[t.title for t in matches],
        )
    if status == "open" and store.find(title, "done"):
        return error_result("already_done", f"Task '{title}' is already done.")
    closest = store.closest_titles(title)
    hint = f" Closest: {', '.join(repr(t) for t in closest)}." if closest else " There are no similar tasks."
    return error_result("not_found", f"No task titled '{title}'.{hint}", candidates=closest)


def _run_one(args: Any, store: TaskStore, today: dt.date) -> dict[str, Any]:
    if isinstance(args, AddTask):
        store.add(args.title, args.due_date)
        due = f" (due {args.due_date})" if args.due_date else ""
        return {"status": "success", "message": f"Task added: '{args.title}'{due}", "task_count": store.count()}
    if isinstance(args, ListTasks):
        tasks = [t.public() for t in store.list(args.status)]
        label = "" if args.status == "all" else f"{args.status} "
        return {"status": "success", "message": f"{len(tasks)} {label}task(s)", "tasks": tasks}
    if isinstance(args, SummarizeTasks):
        s = store.summary(today)
        msg = (
            f"{s['total']} task(s): {s['open']} open, {s['done']} done, "
            f"{s['due_today']} due today, {s['overdue']} overdue"
        )
        return {"status": "success", "message": msg, "summary": s}
    if isinstance(args, CompleteTask):
        task = _resolve(store, args.title, "open", "completed")
        if isinstance(task, dict):
            return task
        store.set_status(task.id, "done")
        return {"status": "success", "message": f"Task completed: '{task.title}'"}
    if isinstance(args, DeleteTask):
        task = _resolve(store, args.title, None, "deleted")
        if isinstance(task, dict):
            return task
        store.delete(task.id)
        return {"status": "success", "message": f"Task deleted: '{task.title}'", "task_count": store.count()}
    raise TypeError(type(args))  # unreachable: validate_call only returns the models above


def execute(calls: Iterable[Any], store: TaskStore, today: dt.date) -> list[dict[str, Any]]:
    """Execute a block of calls (ToolCall objects or {"name", "args"} dicts) all-or-nothing."""
    calls = list(calls)
    validated = [validate_call(c) for c in calls]
    if any(err for _, _, err in validated):
        return [err or _not_run() for _, _, err in validated]

    results: list[dict[str, Any]] = []
    try:
        with store.transaction():
            for i, (_, args, _) in enumerate(validated):
                result = _run_one(args, store, today)
                if result["status"] != "success":
                    raise _CallFailed(i, result)
                results.append(result)
    except _CallFailed as failed:
        return [failed.result if i == failed.index else _not_run() for i in range(len(calls))]
    return results


def _not_run() -> dict[str, Any]:
    return error_result(NOT_RUN, "Not executed: another call in this action block failed, so none ran.")
