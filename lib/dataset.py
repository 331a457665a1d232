"""The public row schema of every dataset and test file, and its loaders.

One JSON object per line: `id`, `today`, `user` (one message) or `messages` (a history ending with
the user's message; assistant turns in the contract, tool results as role "tool"), `gold` (the
calls the answer must make: `[{"name", "args"}]`, empty when the answer is a <final> reply),
optional `category`, `tasks` (the store before the history), `target` (a reference answer) and
`template_id`. Training, evaluation, the widget and the server read rows only through this module;
the synthetic generator that writes our own files is `lib.synth`.

Gold titles follow one rule, `normalize_title`: strip spaces, a pair of quotes around the whole
title and trailing punctuation, upper-case the first letter, keep the user's words otherwise.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from pathlib import Path
from typing import Any, Optional, Sequence

from pydantic import BaseModel, Field, model_validator

from lib.executor import execute
from lib.parser import parse_response
from lib.prompts import TRAINED_PROMPT_STYLE, ChatPrompt, PromptStyle, build_prompt
from lib.store import TaskStore
from lib.tools import ToolCall


class Row(BaseModel):
    """One line of a dataset/test file (see the module docstring)."""

    id: str
    today: dt.date
    user: Optional[str] = None
    messages: Optional[list[dict[str, str]]] = None
    gold: list[ToolCall]
    category: Optional[str] = None
    tasks: list[dict[str, Any]] = Field(default_factory=list)  # the store before the history
    target: Optional[str] = None  # the reference assistant response (our generated files)
    template_id: Optional[str] = None

    @model_validator(mode="after")
    def _one_of_user_or_messages(self) -> "Row":
        if (self.user is None) == (self.messages is None):
            raise ValueError("a row needs exactly one of 'user' or 'messages'")
        if self.messages is not None and (not self.messages or self.messages[-1].get("role") != "user"):
            raise ValueError("'messages' must end with the user's message")
        return self

    def history(self) -> list[dict[str, str]]:
        """Messages up to and including the new user message (no system prompt)."""
        return [{"role": "user", "content": self.user}] if self.user is not None else list(self.messages)

    @property
    def message(self) -> str:
        """The user's message the answer is to (the history's last)."""
        return self.history()[-1]["content"]

    def prompt(self, style: PromptStyle = TRAINED_PROMPT_STYLE) -> ChatPrompt:
        # the "listed" prompt names the tasks as they stand when the last message is sent
        tasks = self.prepare_store().list() if style == "listed" else None
        return build_prompt(self.today, history=self.history(), style=style, tasks=tasks)

    def chat(self, style: PromptStyle = TRAINED_PROMPT_STYLE) -> list[dict[str, str]]:
        """The training sample: system prompt, history, and the reference answer."""
        if self.target is None:
            raise ValueError(f"row {self.id} has no target")
        return self.prompt(style).messages + [{"role": "assistant", "content": self.target}]

    def prepare_store(self) -> TaskStore:
        """The store as it stands when the user sends the last message: the initial tasks, then
        every earlier assistant action in the history, executed in order."""
        store = TaskStore.from_snapshot(self.tasks)
        for m in self.history()[:-1]:
            if m["role"] == "assistant":
                parsed = parse_response(m["content"], "lenient")
                if parsed.kind == "action":
                    execute(parsed.calls, store, self.today)
        return store


def load_rows(path: str | Path, limit: Optional[int] = None) -> list[Row]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(Row.model_validate_json(line))
            except Exception as exc:
                raise ValueError(f"{path}:{lineno}: not a valid row: {exc}") from None
            if limit and len(rows) >= limit:
                break
    return rows


def select_rows(rows: Sequence[Row], limit: Optional[int]) -> list[Row]:
    """The first `limit` rows, taken round-robin across categories in file order, and within a
    category round-robin across its template families, so a small limit still covers every
    category and as many phrasings as it can (deterministic; rows without a template id are
    each their own family, so such files keep their order)."""
    if not limit or limit >= len(rows):
        return list(rows)
    by_category: dict[str, dict[str, collections.deque]] = collections.OrderedDict()
    for row in rows:
        families = by_category.setdefault(row.category or "", collections.OrderedDict())
        families.setdefault(row.template_id or row.id, collections.deque()).append(row)
    queues: dict[str, collections.deque] = collections.OrderedDict()
    for category, families in by_category.items():
        interleaved = queues[category] = collections.deque()
        while any(families.values()):
            for q in families.values():
                if q:
                    interleaved.append(q.popleft())
    picked: list[Row] = []
    while len(picked) < limit:
        for q in queues.values():
            if q and len(picked) < limit:
                picked.append(q.popleft())
    return picked


_WRAPPING_QUOTES = ("''", '""')  # an opening and closing mark that wrap a whole title


def normalize_title(text: str) -> str:
    title = text.strip()
    # a pair of quotes around the whole title goes ('Buy milk' -> Buy milk); a closing quote that
    # belongs to a quoted word stays (Read 'Dune' keeps its closing quote)
    while len(title) >= 2 and title[0] + title[-1] in _WRAPPING_QUOTES and \
            title[0] not in re.sub(r"(?<=\w)'(?=\w)", "", title[1:-1]):  # an apostrophe (Emma's) is no quote
        title = title[1:-1].strip()
    title = re.sub(r"[.!?,;:\s]+$", "", title)
    return title[:1].upper() + title[1:]
