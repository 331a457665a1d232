"""Tool schemas: the single source for prompts, validation and docs.

Each tool is a pydantic model of its keyword arguments. `validate_call` turns a (name, args) pair
from the parser into a validated model, or an error result; nothing here touches the store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TITLE_MAX_CHARS = 200


class ToolCall(BaseModel):
    """One call: a tool name and its keyword arguments (plain Python literals). The parser returns
    these, and the gold calls of every dataset row are these."""

    model_config = ConfigDict(frozen=True)
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _clean_title(value: str) -> str:
    title = value.strip()
    if not title:
        raise ValueError("title must not be empty")
    if len(title) > TITLE_MAX_CHARS:
        raise ValueError(f"title must be at most {TITLE_MAX_CHARS} characters")
    return title


class AddTask(_Args):
    """Add a task. Omit due_date unless the user gave a date (never invent one)."""

    title: str
    due_date: Optional[str] = None

    _title = field_validator("title")(classmethod(lambda cls, v: _clean_title(v)))

    @field_validator("due_date")
    @classmethod
    def _iso_date(cls, value: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"due_date {value!r} is not a real YYYY-MM-DD date") from None
        if parsed.isoformat() != value:  # fromisoformat also takes 20260125 and similar
            raise ValueError(f"due_date {value!r} must be written YYYY-MM-DD")
        return value


class ListTasks(_Args):
    """List tasks by status."""

    status: Literal["open", "done", "all"] = "open"


class SummarizeTasks(_Args):
    """Count tasks: total, open, done, due today, overdue."""


class CompleteTask(_Args):
    """Mark the task with this title as done."""

    title: str
    _title = field_validator("title")(classmethod(lambda cls, v: _clean_title(v)))


class DeleteTask(_Args):
    """Delete the task with this title."""

    title: str
    _title = field_validator("title")(classmethod(lambda cls, v: _clean_title(v)))


TOOLS: dict[str, type[_Args]] = {
    "add_task": AddTask,
    "list_tasks": ListTasks,
    "summarize_tasks": SummarizeTasks,
    "complete_task": CompleteTask,
    "delete_task": DeleteTask,
}

# One line per tool, rendered into the system prompt; kept short because every training token
# costs time on a CPU.
TOOL_SIGNATURES: dict[str, str] = {
    "add_task": 'add_task(title="...", due_date="YYYY-MM-DD") - due_date only if the user gave a date',
    "list_tasks": 'list_tasks(status="open"|"done"|"all")',
    "summarize_tasks": "summarize_tasks() - counts of open, done, due today, overdue",
    "complete_task": 'complete_task(title="...") - mark a task done',
    "delete_task": 'delete_task(title="...")',
}


def error_result(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"status": "error", "code": code, "message": message, **extra}


def validate_call(call: Any) -> tuple[Optional[str], Optional[_Args], Optional[dict[str, Any]]]:
    """Return (name, validated args, None) or (name, None, error result). Never raises."""
    if isinstance(call, dict):
        name, args = call.get("name"), call.get("args", {})
    else:
        name, args = getattr(call, "name", None), getattr(call, "args", None)
    if not isinstance(name, str) or name not in TOOLS:
        return None, None, error_result("unknown_tool", f"Unknown tool {name!r}; known: {', '.join(TOOLS)}")
    if not isinstance(args, dict):
        return name, None, error_result("invalid_arguments", f"{name}: arguments must be keywords")
    try:
        return name, TOOLS[name].model_validate(args), None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors()
        )
        return name, None, error_result("invalid_arguments", f"{name}: {problems}")
