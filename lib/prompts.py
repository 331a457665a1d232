"""The system prompt and the prompt builder, shared by data generation, training, evaluation,
the chat widget and the server (one function each, so the prompts can never drift apart).

The prompt is short on purpose: on a CPU every training token costs time, and the model learns
the format from the data; the prompt carries today's date, the tools and the contract.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional, Sequence

from pydantic import BaseModel, ConfigDict

from lib.tools import TOOL_SIGNATURES

SYSTEM_TEMPLATE = """You are TaskAgent, an assistant that manages the user's task list.
Today is {weekday}, {today}.
Tools:
{tools}
To use tools, reply with one short <analysis> sentence, then the calls, one per line:
<analysis>
User wants to add 'Call mom' due tomorrow.
</analysis>

<action>
add_task(title="Call mom", due_date="{tomorrow}")
</action>
Otherwise reply only <final>your message</final>: greetings, questions you cannot help with, or asking for a missing task title."""


class ChatPrompt(BaseModel):
    """What a model is asked: the messages (system prompt first) and the date they were built for,
    which chat templates such as Llama-3.1's also need ("Today Date: ...")."""

    model_config = ConfigDict(frozen=True)
    today: dt.date
    messages: list[dict[str, str]]


def system_prompt(today: dt.date) -> str:
    tools = "\n".join(f"- {sig}" for sig in TOOL_SIGNATURES.values())
    return SYSTEM_TEMPLATE.format(
        weekday=today.strftime("%A"),
        today=today.isoformat(),
        tools=tools,
        tomorrow=(today + dt.timedelta(days=1)).isoformat(),
    )


def tool_results_message(results: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Tool results as the next message in the history (role "tool": every chat template we
    use renders it, and it is never trained on — only the last assistant turn is)."""
    return {"role": "tool", "content": json.dumps(list(results), ensure_ascii=False, sort_keys=True)}


def build_prompt(
    today: dt.date,
    user: Optional[str] = None,
    history: Optional[Sequence[dict[str, str]]] = None,
) -> ChatPrompt:
    """System prompt + earlier turns (user/assistant/tool messages) + the new user message."""
    messages = [{"role": "system", "content": system_prompt(today)}]
    messages += [dict(m) for m in (history or []) if m["role"] != "system"]
    if user is not None:
        messages.append({"role": "user", "content": user})
    return ChatPrompt(today=today, messages=messages)


def template_kwargs(today: dt.date) -> dict[str, str]:
    """Extra arguments for `tokenizer.apply_chat_template`. Llama-3.x templates write
    'Today Date: …' themselves (default: the real date); pin it to the prompt's date."""
    return {"date_string": today.strftime("%d %b %Y")}
