"""The system prompt and chat-message builder, shared by data generation, training, evaluation,
the chat widget and the server (one function each, so the prompts can never drift apart).

The prompt is short on purpose: on a CPU every training token costs time, and the model learns
the format from the data; the prompt carries today's date, the tools and the contract.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Optional, Sequence

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


def as_date(today: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(today) if isinstance(today, str) else today


def system_prompt(today: dt.date | str) -> str:
    day = as_date(today)
    tools = "\n".join(f"- {sig}" for sig in TOOL_SIGNATURES.values())
    return SYSTEM_TEMPLATE.format(
        weekday=day.strftime("%A"),
        today=day.isoformat(),
        tools=tools,
        tomorrow=(day + dt.timedelta(days=1)).isoformat(),
    )


def tool_results_message(results: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Tool results as the next message in the history (role "tool": every chat template we
    use renders it, and it is never trained on — only the last assistant turn is)."""
    return {"role": "tool", "content": json.dumps(list(results), ensure_ascii=False, sort_keys=True)}


def build_messages(
    today: dt.date | str,
    user: Optional[str] = None,
    history: Optional[Sequence[dict[str, str]]] = None,
) -> list[dict[str, str]]:
    """System prompt + earlier turns (user/assistant/tool messages) + the new user message."""
    messages = [{"role": "system", "content": system_prompt(today)}]
    messages += [dict(m) for m in (history or []) if m["role"] != "system"]
    if user is not None:
        messages.append({"role": "user", "content": user})
    return messages


def template_kwargs(today: dt.date | str) -> dict[str, str]:
    """Extra arguments for `tokenizer.apply_chat_template`. Llama-3.x templates write
    'Today Date: …' themselves (default: the real date); pin it to the sample's date."""
    return {"date_string": as_date(today).strftime("%d %b %Y")}


_TODAY_RE = re.compile(r"Today is \w+, (\d{4}-\d{2}-\d{2})\.")


def today_in(messages: Sequence[dict[str, str]]) -> dt.date:
    """The date a conversation's system prompt was built for (so renderers need no extra argument)."""
    for m in messages:
        if m["role"] == "system":
            found = _TODAY_RE.search(m["content"])
            if found:
                return dt.date.fromisoformat(found.group(1))
    raise ValueError("messages have no taskagent system prompt with today's date")
