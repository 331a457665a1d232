"""The agent loop: generate → parse → execute, with conversation history. No torch here: any
`generate(prompt: ChatPrompt) -> str` callable plugs in (a loaded model, a test double, a remote API).

The history keeps only what can be re-sent (the last `max_history_messages` messages, starting at
a user turn), so a long conversation costs constant memory. Every action block that changed the
store can be undone (`undo`), newest first, up to `max_undo` blocks back. With `alternatives`
(a `prompt -> [answers]` callable, lib.generation.make_alternatives_fn) an answer that cannot be
carried out gets a second try checked by code (lib.retry). A date the user said that the answer
dropped or garbled is read from the message by code (lib.date_mentions) before the calls run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field

from lib.date_mentions import ground_dates, grounding_note
from lib.executor import execute_block
from lib.parser import Mode, ParseResult, parse_response
from lib.prompts import TRAINED_PROMPT_STYLE, ChatPrompt, PromptStyle, build_prompt, tool_results_message
from lib.retry import Alternatives, answer_with_retry, choose_answer, dry_run_errors, should_retry
from lib.store import TaskStore, UndoRecord

Generate = Callable[[ChatPrompt], str]
MAX_REPLY_CHARS = 20_000  # far above any contract answer: longer is a runaway generation


class ModelError(RuntimeError):
    """The model failed or answered with something that is not text; nothing was changed."""


class Turn(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    user: str
    today: dt.date
    raw: str
    parsed: ParseResult
    results: list[dict[str, Any]] = Field(default_factory=list)
    retried_from: Optional[str] = None  # the model's first answer, when a checked retry replaced it

    @property
    def errors(self) -> list[str]:
        errs = list(self.parsed.errors)
        errs += [r.get("code", "error") for r in self.results if r.get("status") != "success"]
        return errs


class Agent:
    """One conversation with one store."""

    def __init__(
        self,
        generate: Generate,
        store: TaskStore,
        today: Optional[dt.date] = None,
        parse_mode: Mode = "lenient",
        max_history_messages: int = 12,
        prompt_style: PromptStyle = TRAINED_PROMPT_STYLE,
        max_undo: int = 20,
        alternatives: Optional[Alternatives] = None,
    ) -> None:
        self.generate = generate
        self.alternatives = alternatives
        self.store = store
        self.today = today
        self.parse_mode: Mode = parse_mode
        self.max_history_messages = max_history_messages
        self.prompt_style: PromptStyle = prompt_style
        self.max_undo = max_undo
        self.history: list[dict[str, str]] = []
        self.undo_stack: list[UndoRecord] = []

    def _trimmed(self, history: list[dict[str, str]]) -> list[dict[str, str]]:
        kept = history[-self.max_history_messages:] if self.max_history_messages else []
        # Never start on a tool/assistant message cut from its user turn.
        while kept and kept[0]["role"] != "user":
            kept = kept[1:]
        return kept

    def prompt_for(self, user: str, today: dt.date) -> ChatPrompt:
        tasks = self.store.list() if self.prompt_style == "listed" else None
        return build_prompt(today, user=user, history=self._trimmed(self.history), style=self.prompt_style,
                            tasks=tasks)

    def day(self, today: Optional[dt.date] = None) -> dt.date:
        return today or self.today or dt.date.today()

    def send(self, user: str, today: Optional[dt.date] = None) -> Turn:
        """One turn. Raises ModelError (and changes nothing) when the model fails or returns no text."""
        day = self.day(today)
        prompt = self.prompt_for(user, day)
        try:
            raw = self.generate(prompt)
        except Exception as exc:
            raise ModelError(f"the model failed: {type(exc).__name__}: {exc}") from exc
        return self.finish(user, day, raw, prompt)

    def needs_second_try(self, raw: Any, day: dt.date, user: Optional[str] = None) -> bool:
        """Whether `raw`, the answer to `user`, cannot be carried out and this agent can ask for
        alternatives (lib.retry)."""
        if self.alternatives is None or not isinstance(raw, str):
            return False
        return should_retry(dry_run_errors(raw[:MAX_REPLY_CHARS], self.store, day, self.parse_mode, user))

    def finish(self, user: str, day: dt.date, raw: Any, prompt: Optional[ChatPrompt] = None,
               alternatives: Optional[Sequence[str]] = None) -> Turn:
        """The rest of a turn once the model answered `raw` (the server generates elsewhere): check
        it is text; when it cannot be carried out, a checked second try among `alternatives` (given,
        or asked of `self.alternatives` for `prompt`; lib.retry); parse, execute, remember. Raises
        ModelError before touching anything; a failing second try keeps `raw`."""
        if not isinstance(raw, str):
            raise ModelError(f"the model returned {type(raw).__name__}, not text")
        raw = raw[:MAX_REPLY_CHARS]
        retried_from = None
        try:
            if alternatives is not None:
                chosen, used = choose_answer(raw, [str(a) for a in alternatives], self.store, day, self.parse_mode,
                                             user=user)
            elif prompt is not None and self.alternatives is not None:
                chosen, used = answer_with_retry(raw, prompt, self.alternatives, self.store, day, self.parse_mode, user)
            else:
                chosen, used = raw, None
        except Exception:  # the retry is a bonus: the first answer's error results still reach the user
            chosen, used = raw, None
        if used is not None:
            raw, retried_from = chosen[:MAX_REPLY_CHARS], raw
        parsed = parse_response(raw, self.parse_mode)
        results: list[dict[str, Any]] = []
        if parsed.kind == "action":
            # the date of the user's message, read by code where the answer dropped or garbled it
            calls, groundings = ground_dates(parsed.calls, user, day)
            if groundings:
                parsed = parsed.model_copy(update={"calls": calls})
            block = execute_block(parsed.calls, self.store, day)
            results = block.results
            for g in groundings:
                if results[g.index].get("status") == "success":
                    results[g.index] = {**results[g.index], "message": results[g.index]["message"] + grounding_note(g)}
            if not block.undo.is_empty():
                self.undo_stack = (self.undo_stack + [block.undo])[-self.max_undo:]
        self.history.append({"role": "user", "content": user})
        self.history.append({"role": "assistant", "content": raw})
        if results:
            self.history.append(tool_results_message(results))
        self.history = self._trimmed(self.history)
        return Turn(user=user, today=day, raw=raw, parsed=parsed, results=results, retried_from=retried_from)

    def undo(self) -> Optional[str]:
        """Revert the newest action block that changed the store; None when there is none."""
        if not self.undo_stack:
            return None
        record = self.undo_stack.pop()
        self.store.revert(record)
        n = len(record.created) + len(record.before)
        self.history.append({"role": "tool", "content": f"[the user undid the last action: {n} task(s) restored]"})
        self.history = self._trimmed(self.history)
        return f"Undone: {len(record.created)} added task(s) removed, {len(record.before)} task(s) put back as they were."

    def reset(self) -> None:
        self.history.clear()
        self.undo_stack.clear()
