"""The system prompts and the prompt builder, shared by data generation, training, evaluation,
the chat widget and the server (one function each, so the prompts can never drift apart).

Four system prompts:
- "compact" (two lines: today's date and the tool names): the fine-tuned model learns the contract
  from the data, and every prompt token is paid on every training row (the long prompt was ~75%
  of a training row's tokens). Trained and served with until 2026-11-29.
- "minimal" (one line: today's date) drops the tool names too, which the tuned model learns from
  its data as well: ~30 fewer tokens on every row (a fifth of a training row).
- "listed" is "compact" plus one line naming the tasks on the list ("Tasks: Buy milk; Call mom
  (done)"): whether "I'll do X on Friday instead" moves a task or adds one depends on whether X is
  on the list, which the other prompts cannot tell the model. The newest `MAX_LISTED_TASKS` are
  named; tasks in the trash are not. What the fine-tuned model is trained and served with
  (`TRAINED_PROMPT_STYLE`; docs/benchmarks.md, "the third and last look").
- "contract" spells the contract out (tools with their arguments, an example, when to reply with
  <final>). A model that was never trained on the contract cannot know it from a few lines, so the
  base model is always asked with this one (evaluation reports say so).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal, Optional, Sequence

from pydantic import BaseModel, ConfigDict

from lib.tools import TOOL_SIGNATURES, TOOLS

PromptStyle = Literal["compact", "minimal", "contract", "listed"]
PROMPT_STYLES: tuple[str, ...] = ("compact", "minimal", "contract", "listed")
# The prompt every preset trains with, and so the one its adapters are served with (they record it:
# lib.model.adapter_prompt_style). Only the untrained base model is asked with "contract".
TRAINED_PROMPT_STYLE: PromptStyle = "listed"

MINIMAL_TEMPLATE = "You are TaskAgent. Today is {weekday}, {today}."
COMPACT_TEMPLATE = MINIMAL_TEMPLATE + "\nTools: {names}"
LISTED_TEMPLATE = COMPACT_TEMPLATE + "\nTasks: {tasks}"
# Every prompt token is paid on every training row and every turn: a long list is cut to its newest.
MAX_LISTED_TASKS = 15

CONTRACT_TEMPLATE = """You are TaskAgent, an assistant that manages the user's task list.
Today is {weekday}, {today}.
Tools:
{tools}
To use tools, reply with one short <analysis> sentence, then the calls, one per line:
<analysis>
User wants to add 'Call mom' due tomorrow.
</analysis>

<action>
add_task(title="Call mom", due_date="tomorrow")
</action>
Otherwise reply only <final>your message</final>: greetings, questions you cannot help with, or asking for a missing task title."""


class ChatPrompt(BaseModel):
    """What a model is asked: the messages (system prompt first) and the date they were built for,
    which chat templates such as Llama-3.1's also need ("Today Date: ...")."""

    model_config = ConfigDict(frozen=True)
    today: dt.date
    messages: list[dict[str, str]]


def task_line(tasks: Sequence[Any]) -> str:
    """The tasks on the list (`lib.store.Task`s, oldest first), newest `MAX_LISTED_TASKS`, as the
    "listed" prompt names them: "Buy milk; Call mom (done)", or "none"."""
    return "; ".join(t.title + (" (done)" if t.status == "done" else "") for t in tasks[-MAX_LISTED_TASKS:]) or "none"


def system_prompt(today: dt.date, style: PromptStyle = "compact", tasks: Optional[Sequence[Any]] = None) -> str:
    """The system prompt of `style`; "listed" needs `tasks` (the store's, `TaskStore.list()`)."""
    if style == "listed":
        if tasks is None:
            raise ValueError("the 'listed' prompt names the tasks on the list: pass tasks=store.list()")
        return LISTED_TEMPLATE.format(weekday=today.strftime("%A"), today=today.isoformat(), names=", ".join(TOOLS),
                                      tasks=task_line(tasks))
    if style == "compact":
        return COMPACT_TEMPLATE.format(weekday=today.strftime("%A"), today=today.isoformat(), names=", ".join(TOOLS))
    if style == "minimal":
        return MINIMAL_TEMPLATE.format(weekday=today.strftime("%A"), today=today.isoformat())
    if style == "contract":
        tools = "\n".join(f"- {sig}" for sig in TOOL_SIGNATURES.values())
        return CONTRACT_TEMPLATE.format(weekday=today.strftime("%A"), today=today.isoformat(), tools=tools)
    raise ValueError(f"unknown prompt style {style!r}; choose from {', '.join(PROMPT_STYLES)}")


def tool_results_message(results: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Tool results as the next message in the history (role "tool": every chat template we
    use renders it, and it is never trained on — only the last assistant turn is)."""
    return {"role": "tool", "content": json.dumps(list(results), ensure_ascii=False, sort_keys=True)}


def build_prompt(
    today: dt.date,
    user: Optional[str] = None,
    history: Optional[Sequence[dict[str, str]]] = None,
    style: PromptStyle = "compact",
    tasks: Optional[Sequence[Any]] = None,
) -> ChatPrompt:
    """System prompt + earlier turns (user/assistant/tool messages) + the new user message;
    `tasks`: the list as it stands now, for the "listed" prompt (ignored by the others)."""
    messages = [{"role": "system", "content": system_prompt(today, style, tasks)}]
    messages += [dict(m) for m in (history or []) if m["role"] != "system"]
    if user is not None:
        messages.append({"role": "user", "content": user})
    return ChatPrompt(today=today, messages=messages)


def template_kwargs(today: dt.date) -> dict[str, str]:
    """Extra arguments for `tokenizer.apply_chat_template`. Llama-3.x templates write
    'Today Date: …' themselves (default: the real date); pin it to the prompt's date."""
    return {"date_string": today.strftime("%d %b %Y")}
