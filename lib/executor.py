"""Run parsed tool calls against a TaskStore.

A block is all-or-nothing: every call is schema-validated first (due dates resolved against
`today`); if any is invalid nothing runs. The valid block then runs inside one transaction, and if
any call fails at run time (no matching task, a duplicate) the whole block is rolled back. Every
call always gets a result dict, and nothing here raises on bad model output.

Which task a title names (complete, delete, update, restore), in order:
1. tasks whose title is that title (case, spacing and Unicode form ignored); complete looks at
   open tasks, delete and update at open ones first, then done ones, restore at the trash. If
   several share the title, the oldest is used and the result says so;
2. else the one task whose title holds every word of it ("dentist" names "Call the dentist");
   several such tasks: nothing is done and the result lists them ("ambiguous");
3. else, when the title ends with a date ("... for Friday"), steps 1-2 for the title without it
   (add_task stores "Water the tomatoes for Friday" as "Water the tomatoes", due Friday);
4. else the one task whose title is a near spelling of it (`lib.store.NEAR_SPELLING`: a slip of
   about one letter in ten, "Re reply to Emma's text" names "Reply to Emma's text"); the result
   says which task it took. Two such tasks: nothing is done ("ambiguous");
5. else nothing is done: "already_done", "not_found" (with the closest titles) or "not_in_trash".
restore_task that finds nothing in the trash looks at the done tasks the same way (1-4) and
reopens the one it finds: to a user (and to-do apps) restoring a completed task means opening it
again. An open task is still "not_in_trash". Likewise update_task whose only change is
status="open" and whose title names no task on the list looks in the trash (1-4) and restores
the one it finds, open: "open it again" for a deleted task means bring it back.
Adding a task whose title is already an open task's is refused ("duplicate"), so a title keeps
naming one open task.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any, Iterable, Optional

from pydantic import BaseModel, Field

from lib.store import Task, TaskStore, UndoRecord
from lib.task_titles import split_trailing_date
from lib.tools import (AddTask, CompleteTask, DeleteTask, ListTasks, RestoreTask, SummarizeTasks, UpdateTask,
                       error_result, validate_call)

NOT_RUN = "not_executed"


class BlockResult(BaseModel):
    """The results of one action block (one per call, in order) and how to undo it."""

    results: list[dict[str, Any]]
    undo: UndoRecord = Field(default_factory=UndoRecord)


class _CallFailed(Exception):
    def __init__(self, index: int, result: dict[str, Any]) -> None:
        self.index, self.result = index, result


def _day(iso: Optional[str]) -> str:
    return f"{dt.date.fromisoformat(iso):%A} {iso}" if iso else ""


def _one_of(found: list[Task], title: str, verb: str, how: str,
            why: str = "") -> tuple[Optional[Task], str, Optional[dict[str, Any]]]:
    """`_pick`'s answer for the tasks a step found: the one task, with a note saying how `title`
    was read, or "ambiguous" (nothing done) for several."""
    if len(found) > 1:
        return None, "", error_result(
            "ambiguous", f"'{title}' could be {len(found)} tasks; nothing was {verb}. Say which one.",
            candidates=[t.title for t in found])
    return found[0], f" ('{title}' {how} '{found[0].title}'{why}.)", None


def _pick(store: TaskStore, title: str, verb: str, where: str,
          today: Optional[dt.date] = None) -> tuple[Optional[Task], str, Optional[dict[str, Any]]]:
    """(task, a note for the result, None) or (None, "", error result). `where`: "open", "any",
    "done", "trash".
    `today` given: a title ending with a date that names no task is tried without it ("Water the
    tomatoes for Friday" names "Water the tomatoes", which add_task stored with that due date)."""
    trash = where == "trash"
    statuses = {"open": ["open"], "any": ["open", "done"], "done": ["done"], "trash": [None]}[where]
    for status in statuses:  # 1. the exact title
        found = store.find(title, status, in_trash=trash)
        if found:
            note = f" {len(found)} tasks are titled '{title}'; the oldest was {verb}." if len(found) > 1 else ""
            return found[0], note, None
    if where == "open" and store.find(title, "done"):
        return None, "", error_result("already_done", f"Task '{title}' is already done.")
    for status in statuses:  # 2. the one task holding every word of it
        found = store.find_partial(title, status, in_trash=trash)
        if found:
            return _one_of(found, title, verb, "matched")
    if where == "open" and store.find_partial(title, "done"):
        return None, "", error_result("already_done", f"Task '{title}' is already done.")
    if today is not None:
        shorter, expression = split_trailing_date(title, today)
        if expression:
            task, note, error = _pick(store, shorter, verb, where)
            if task is not None or (error and error["code"] != "not_found"):
                return task, note, error
    for status in statuses:  # 4. the one task spelled nearly so
        found = store.find_near(title, status, in_trash=trash)
        if found:
            return _one_of(found, title, verb, "read as", ", the nearest spelling")
    if trash and (store.find(title) or store.find_partial(title)):
        return None, "", error_result("not_in_trash", f"'{title}' is not in the trash; it is still on the list.")
    closest = store.closest_titles(title, in_trash=trash)
    hint = f" Closest: {', '.join(repr(t) for t in closest)}." if closest else " There are no similar tasks."
    place = "in the trash" if trash else "titled"
    return None, "", error_result("not_found", f"No task {place} '{title}'.{hint}", candidates=closest)


def _bring_back(store: TaskStore, title: str, where: str, today: dt.date) -> Optional[dict[str, Any]]:
    """The task `title` names among the done tasks (`where`="done") or in the trash ("trash"),
    open again: its success result, "ambiguous", or None when no such task is there."""
    task, note, error = _pick(store, title, "reopened" if where == "done" else "restored", where, today)
    if task is None:
        return error if error["code"] == "ambiguous" else None
    if where == "trash":
        store.restore(task.id)
    reopened = store.update(task.id, status="open")
    if where == "done":
        return {"status": "success", "message": f"Task reopened: '{task.title}' (it was done, not in the trash).{note}",
                "task": reopened.public()}
    return {"status": "success", "message": f"Task restored from the trash: '{task.title}' (it had been deleted), "
                                            f"and open.{note}", "task": reopened.public(), "task_count": store.count()}


def _run_one(args: Any, store: TaskStore, today: dt.date) -> dict[str, Any]:
    if isinstance(args, AddTask):
        if store.find(args.title, "open"):
            return error_result("duplicate", f"An open task titled '{args.title}' already exists; nothing was added.")
        store.add(args.title, args.due_date)
        due = f" (due {_day(args.due_date)})" if args.due_date else ""
        if args.date_from_title:
            due = f" (due {_day(args.due_date)}, read from '{args.date_from_title}' at the end of the title)"
        return {"status": "success", "message": f"Task added: '{args.title}'{due}", "due_date": args.due_date,
                "task_count": store.count()}
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
    verb, where = {CompleteTask: ("completed", "open"), DeleteTask: ("deleted", "any"),
                   UpdateTask: ("updated", "any"), RestoreTask: ("restored", "trash")}[type(args)]
    task, note, error = _pick(store, args.title, verb, where, today)
    # "bring it back": restore_task of a done task reopens it, reopening a deleted one restores it
    if error and isinstance(args, RestoreTask) and error["code"] in ("not_in_trash", "not_found"):
        error = _bring_back(store, args.title, "done", today) or error
    elif error and isinstance(args, UpdateTask) and error["code"] == "not_found" and \
            args.canonical_changes() == {"status": "open"}:
        error = _bring_back(store, args.title, "trash", today) or error
    if error:
        return error
    if isinstance(args, CompleteTask):
        store.set_status(task.id, "done")
        return {"status": "success", "message": f"Task completed: '{task.title}'.{note}"}
    if isinstance(args, DeleteTask):
        store.delete(task.id)
        return {"status": "success", "message": f"Task moved to the trash: '{task.title}' (restore_task brings it "
                                                f"back).{note}", "task_count": store.count()}
    if isinstance(args, RestoreTask):
        store.restore(task.id)
        return {"status": "success", "message": f"Task restored: '{task.title}'.{note}", "task_count": store.count()}
    changes = args.canonical_changes()
    if "new_title" in changes and store.find(changes["new_title"], "open") and \
            store.find(changes["new_title"], "open")[0].id != task.id:
        return error_result("duplicate", f"An open task titled '{changes['new_title']}' already exists; "
                                         "nothing was renamed.")
    updated = store.update(task.id, **{("title" if k == "new_title" else k): v for k, v in changes.items()})
    said = []
    if "new_title" in changes:
        said.append(f"renamed to '{updated.title}'")
    if "due_date" in changes:
        said.append(f"due {_day(updated.due_date)}" if updated.due_date else "no due date")
    if "status" in changes:
        said.append(f"marked {updated.status}")
    return {"status": "success", "message": f"Task updated: '{task.title}' " + ", ".join(said) + "." + note,
            "task": updated.public()}


def execute_block(calls: Iterable[Any], store: TaskStore, today: dt.date) -> BlockResult:
    """Execute a block of calls (ToolCall objects or {"name", "args"} dicts) all-or-nothing."""
    calls = list(calls)
    validated = [validate_call(c, today) for c in calls]
    if any(err for _, _, err in validated):
        return BlockResult(results=[err or _not_run() for _, _, err in validated])
    results: list[dict[str, Any]] = []
    try:
        with store.recording() as undo:
            for i, (_, args, _) in enumerate(validated):
                result = _run_one(args, store, today)
                if result["status"] != "success":
                    raise _CallFailed(i, result)
                results.append(result)
    except _CallFailed as failed:
        return BlockResult(results=[failed.result if i == failed.index else _not_run() for i in range(len(calls))])
    except sqlite3.OperationalError as exc:  # "database is locked" past the busy timeout, a full disk
        busy = error_result("store_busy", f"The task store could not be written ({exc}); nothing was changed. "
                                          "Try again in a moment.")
        return BlockResult(results=[busy for _ in calls])
    return BlockResult(results=results, undo=undo)


def execute(calls: Iterable[Any], store: TaskStore, today: dt.date) -> list[dict[str, Any]]:
    """`execute_block`'s results only."""
    return execute_block(calls, store, today).results


def _not_run() -> dict[str, Any]:
    return error_result(NOT_RUN, "Not executed: another call in this action block failed, so none ran.")
