"""The agent loop: generate → parse → execute, with conversation history. No torch here: any
`generate(prompt: ChatPrompt) -> str` callable plugs in (a loaded model, a test double, a remote API)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional

from pydantic import BaseModel, ConfigDict, Field

from lib.executor import execute
from lib.parser import Mode, ParseResult, parse_response
from lib.prompts import ChatPrompt, build_prompt, tool_results_message
from lib.store import TaskStore

Generate = Callable[[ChatPrompt], str]


class Turn(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    user: str
    today: dt.date
    raw: str
    parsed: ParseResult
    results: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        errs = list(self.parsed.errors)
        errs += [r.get("code", "error") for r in self.results if r.get("status") != "success"]
        return errs


class Agent:
    """One conversation with one store. `max_history_messages` bounds what is re-sent."""

    def __init__(
        self,
        generate: Generate,
        store: TaskStore,
        today: Optional[dt.date] = None,
        parse_mode: Mode = "lenient",
        max_history_messages: int = 12,
    ) -> None:
        self.generate = generate
        self.store = store
        self.today = today
        self.parse_mode: Mode = parse_mode
        self.max_history_messages = max_history_messages
        self.history: list[dict[str, str]] = []

    def prompt_for(self, user: str, today: dt.date) -> ChatPrompt:
        history = self.history[-self.max_history_messages :] if self.max_history_messages else []
        # Never start the kept history on a tool/assistant message cut from its user turn.
        while history and history[0]["role"] != "user":
            history = history[1:]
        return build_prompt(today, user=user, history=history)

    def send(self, user: str, today: Optional[dt.date] = None) -> Turn:
        day = today or self.today or dt.date.today()
        raw = self.generate(self.prompt_for(user, day))
        parsed = parse_response(raw, self.parse_mode)
        results = execute(parsed.calls, self.store, day) if parsed.kind == "action" else []
        self.history.append({"role": "user", "content": user})
        self.history.append({"role": "assistant", "content": raw})
        if results:
            self.history.append(tool_results_message(results))
        return Turn(user=user, today=day, raw=raw, parsed=parsed, results=results)

    def reset(self) -> None:
        self.history.clear()
