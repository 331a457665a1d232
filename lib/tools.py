"""Tool schemas: the single source for prompts, validation and docs.

Each tool is a pydantic model of its keyword arguments. `validate_call(call, today)` turns a
(name, args) pair from the parser into a validated model, or an error result; nothing here
touches the store. Due dates are given as the user said them ("next Friday", "the 10th of
March") or as YYYY-MM-DD, and validation resolves them against `today` with `lib.dates` — the one
place dates are computed — so a validated call always holds an ISO date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator,
                      model_validator)
from pydantic_core import PydanticCustomError

from lib.dates import DateNotUnderstood, means_no_date, resolve_date
from lib.task_titles import TITLE_MAX_CHARS, clean_title, missing_title_reason, split_trailing_date


class ToolCall(BaseModel):
    """One call: a tool name and its keyword arguments (plain Python literals). The parser returns
    these, and the gold calls of every dataset row are these."""

    model_config = ConfigDict(frozen=True)
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    def canonical(self) -> dict[str, Any]:
        """The arguments that define what the call does, defaults filled in (for comparisons)."""
        return self.model_dump()


def _today(info: ValidationInfo) -> dt.date:
    today = (info.context or {}).get("today")
    if not isinstance(today, dt.date):
        raise ValueError("due_date needs today's date to be resolved")
    return today


def _resolve_due(value: Optional[str], info: ValidationInfo) -> Optional[str]:
    if value is None or (isinstance(value, str) and means_no_date(value)):  # "at some point": no date
        return None
    today = _today(info)
    try:
        return resolve_date(value, today).isoformat()
    except DateNotUnderstood as exc:
        raise ValueError(f"due_date {exc}") from None


class AddTask(_Args):
    """Add a task. Omit due_date unless the user gave a date (never invent one)."""

    title: str
    due_date: Optional[str] = None
    _date_from_title: Optional[str] = PrivateAttr(default=None)  # "for Friday" when read from the title

    _title = field_validator("title")(classmethod(lambda cls, v: clean_title(v)))
    _due = field_validator("due_date")(classmethod(lambda cls, v, info: _resolve_due(v, info)))

    @model_validator(mode="after")
    def _names_a_task(self, info: ValidationInfo) -> "AddTask":
        """lib.task_titles: a title that is only a date or a placeholder is refused; a date at the
        end of the title is the due date when none was given."""
        context_today = (info.context or {}).get("today")
        today = context_today if isinstance(context_today, dt.date) else dt.date.today()
        reason = missing_title_reason(self.title, today)
        if reason:
            raise PydanticCustomError("needs_title", "{reason}; nothing was added. What should the task say?",
                                      {"reason": reason})
        if self.due_date is None and isinstance(context_today, dt.date):  # resolved against the agent's today only
            title, expression = split_trailing_date(self.title, today)
            if expression:
                self.title, self.due_date = title, resolve_date(expression, today).isoformat()
                self._date_from_title = expression
        return self

    @property
    def date_from_title(self) -> Optional[str]:
        return self._date_from_title


class ListTasks(_Args):
    """List tasks by status."""

    status: Literal["open", "done", "all"] = "open"


class SummarizeTasks(_Args):
    """Count tasks: total, open, done, due today, overdue."""


class CompleteTask(_Args):
    """Mark the task with this title as done."""

    title: str
    _title = field_validator("title")(classmethod(lambda cls, v: clean_title(v)))


class DeleteTask(_Args):
    """Move the task with this title to the trash (restore_task brings it back)."""

    title: str
    _title = field_validator("title")(classmethod(lambda cls, v: clean_title(v)))


class UpdateTask(_Args):
    """Change a task: rename it, change or clear (due_date=None) its due date, or reopen it."""

    title: str
    new_title: Optional[str] = None
    due_date: Optional[str] = None
    status: Optional[Literal["open", "done"]] = None

    _title = field_validator("title", "new_title")(classmethod(lambda cls, v: None if v is None else clean_title(v)))
    _due = field_validator("due_date")(classmethod(lambda cls, v, info: _resolve_due(v, info)))

    @model_validator(mode="after")
    def _changes_something(self) -> "UpdateTask":
        if not {"new_title", "due_date", "status"} & self.model_fields_set:
            raise ValueError("update_task needs new_title, due_date (None clears it) or status")
        return self

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)  # due_date=None (clear it) differs from no due_date (keep it)

    def canonical_changes(self) -> dict[str, Any]:
        """What the call changes: any of new_title, due_date, status."""
        return {k: v for k, v in self.canonical().items() if k in ("new_title", "due_date", "status")}


class RestoreTask(_Args):
    """Bring the task with this title back from the trash (or, when it is done, not deleted, reopen it)."""

    title: str
    _title = field_validator("title")(classmethod(lambda cls, v: clean_title(v)))


TOOLS: dict[str, type[_Args]] = {
    "add_task": AddTask,
    "list_tasks": ListTasks,
    "summarize_tasks": SummarizeTasks,
    "complete_task": CompleteTask,
    "delete_task": DeleteTask,
    "update_task": UpdateTask,
    "restore_task": RestoreTask,
}

# One line per tool, for the prompt that spells the contract out (models that were not trained on it).
TOOL_SIGNATURES: dict[str, str] = {
    "add_task": 'add_task(title="...", due_date="...") - due_date only if the user gave one, in their words '
                '("tomorrow", "next Friday") or YYYY-MM-DD',
    "list_tasks": 'list_tasks(status="open"|"done"|"all")',
    "summarize_tasks": "summarize_tasks() - counts of open, done, due today, overdue",
    "complete_task": 'complete_task(title="...") - mark a task done',
    "delete_task": 'delete_task(title="...") - move a task to the trash',
    "update_task": 'update_task(title="...", new_title="...", due_date="...", status="open") - change a task; '
                   "due_date=None clears the date",
    "restore_task": 'restore_task(title="...") - bring a task back from the trash',
}


def error_result(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"status": "error", "code": code, "message": message, **extra}


def validate_call(call: Any, today: dt.date) -> tuple[Optional[str], Optional[_Args], Optional[dict[str, Any]]]:
    """Return (name, validated args, None) or (name, None, error result). Never raises."""
    if isinstance(call, dict):
        name, args = call.get("name"), call.get("args", {})
    else:
        name, args = getattr(call, "name", None), getattr(call, "args", None)
    if not isinstance(name, str) or name not in TOOLS:
        shown = name if isinstance(name, str) and name.isascii() and len(name) <= 40 else "that"
        return None, None, error_result("unknown_tool", f"Unknown tool {shown!r}; known: {', '.join(TOOLS)}")
    if not isinstance(args, dict):
        return name, None, error_result("invalid_arguments", f"{name}: arguments must be keywords")
    try:
        return name, TOOLS[name].model_validate(args, context={"today": today}), None
    except ValidationError as exc:
        for e in exc.errors():
            if e["type"] == "needs_title":
                return name, None, error_result("needs_title", e["msg"])
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        return name, None, error_result("invalid_arguments", f"{name}: {problems}")
