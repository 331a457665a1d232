"""An ipywidgets chat with the agent: transcript, live task table, reset/clear, date override.

Everything goes through `lib.agent.Agent` (the same loop the server and the evaluation use).
`ChatApp.send(text)` is the programmatic API that the Send button, the Enter key, the tests and
notebook 04's scripted conversation all call.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any, Optional

import ipywidgets as W

from lib.agent import Agent, Generate, Turn
from lib.generation import MAX_NEW_TOKENS, make_generate_fn
from lib.store import TaskStore

CSS = """<style>
.ta-msg{margin:6px 0;padding:8px 10px;border-radius:8px;max-width:95%;font-size:13px;line-height:1.4}
.ta-user{background:#e8f0fe;border:1px solid #c6dafc;margin-left:auto}
.ta-agent{background:#f6f8fa;border:1px solid #d0d7de}
.ta-bad{background:#fff1f0;border:1px solid #ffa39e}
.ta-call{font-family:monospace;font-size:12px;background:#fff;border:1px solid #d0d7de;border-radius:4px;padding:2px 6px;margin:3px 0}
.ta-ok{color:#1a7f37}.ta-err{color:#cf222e}.ta-muted{color:#57606a;font-size:11px}
.ta-raw{white-space:pre-wrap;font-family:monospace;font-size:11px;background:#fff;padding:4px}
table.ta-tasks{border-collapse:collapse;font-size:12px;width:100%}
table.ta-tasks td,table.ta-tasks th{border-bottom:1px solid #d0d7de;padding:3px 6px;text-align:left}
</style>"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def render_turn(turn: Turn) -> str:
    """One exchange as HTML: the user's message, then analysis (collapsible), calls with their
    results, or the final reply; unparseable output is shown raw with its error codes."""
    parts = [f'<div class="ta-msg ta-user"><b>You</b> <span class="ta-muted">({_e(turn.today.isoformat())})</span><br>{_e(turn.user)}</div>']
    p = turn.parsed
    if p.kind == "invalid":
        parts.append(
            '<div class="ta-msg ta-bad"><b>Agent output could not be parsed</b> '
            f'<span class="ta-err">({_e(", ".join(p.errors))})</span> — nothing was executed.'
            f'<div class="ta-raw">{_e(turn.raw)}</div></div>'
        )
        return "".join(parts)
    body = []
    if p.analysis:
        body.append(f"<details><summary class='ta-muted'>analysis</summary>{_e(p.analysis)}</details>")
    if p.kind == "final":
        body.append(_e(p.final))
    for call, result in zip(p.calls, turn.results):
        args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in call.args.items())
        ok = result.get("status") == "success"
        detail = result.get("message", "")
        if "tasks" in result:
            detail += " " + "; ".join(f"{t['title']}" + (f" (due {t['due_date']})" if t.get("due_date") else "")
                                      + ("" if t.get("status") == "open" else f" [{t.get('status')}]")
                                      for t in result["tasks"])
        body.append(f'<div class="ta-call">{_e(call.name)}({_e(args)})</div>'
                    f'<div class="{"ta-ok" if ok else "ta-err"}">{"✓" if ok else "✗"} {_e(detail.strip())}</div>')
    parts.append(f'<div class="ta-msg ta-agent"><b>Agent</b><br>{"".join(body)}</div>')
    return "".join(parts)


def render_tasks(store: TaskStore) -> str:
    tasks = store.list("all")
    if not tasks:
        return '<span class="ta-muted">No tasks yet.</span>'
    rows = "".join(
        f"<tr><td>{_e(t.title)}</td><td>{_e(t.due_date or '—')}</td>"
        f"<td class='{'ta-ok' if t.status == 'done' else ''}'>{_e(t.status)}</td></tr>" for t in tasks
    )
    return f"<table class='ta-tasks'><tr><th>Title</th><th>Due</th><th>Status</th></tr>{rows}</table>"


class ChatApp:
    """The chat widget. `app.widget` is what to display; `app.send("...")` drives it in code."""

    def __init__(self, generate: Generate, store: TaskStore, today: Optional[dt.date] = None,
                 title: str = "TaskAgent", notice: Optional[str] = None, max_history_messages: int = 12) -> None:
        self.agent = Agent(generate, store, max_history_messages=max_history_messages)
        self.store = store
        self.title = title + (f" ({notice})" if notice else "")
        self.turns: list[Turn] = []
        self._html_turns: list[str] = []
        self.header = W.HTML(f"<b>{_e(title)}</b>" + (f"<br><span class='ta-err'>{_e(notice)}</span>" if notice else ""))
        self.date = W.DatePicker(description="Today", value=today or dt.date.today())
        self.text = W.Text(placeholder="Ask me to add, list, complete or delete tasks…", continuous_update=False,
                           layout=W.Layout(width="70%"))
        self.send_button = W.Button(description="Send", button_style="primary", icon="paper-plane")
        self.reset_button = W.Button(description="Reset chat", icon="refresh")
        self.clear_button = W.Button(description="Clear tasks", button_style="warning", icon="trash")
        self.status = W.HTML()
        self.transcript = W.HTML(CSS, layout=W.Layout(max_height="420px", overflow_y="auto", border="1px solid #d0d7de", padding="6px"))
        self.tasks = W.HTML(layout=W.Layout(border="1px solid #d0d7de", padding="6px"))
        self.send_button.on_click(lambda _: self.send())
        self.text.observe(self._on_enter, names="value")  # continuous_update=False: fires on Enter
        self.reset_button.on_click(lambda _: self.reset())
        self.clear_button.on_click(lambda _: self.clear_tasks())
        self.widget = W.VBox([
            self.header,
            W.HBox([self.date, self.reset_button, self.clear_button]),
            W.HBox([W.VBox([self.transcript], layout=W.Layout(width="62%")),
                    W.VBox([W.HTML("<b>Tasks</b>"), self.tasks], layout=W.Layout(width="38%"))]),
            W.HBox([self.text, self.send_button]),
            self.status,
        ])
        self._refresh()

    # -- actions ------------------------------------------------------------------------------
    def _on_enter(self, change: dict[str, Any]) -> None:
        if change["new"].strip():
            self.send()

    def send(self, text: Optional[str] = None) -> Optional[Turn]:
        """Send `text` (default: the text box). Never raises: a failing model is shown as an error."""
        message = (self.text.value if text is None else text).strip()
        if not message:
            return None
        self.text.unobserve(self._on_enter, names="value")
        self.text.value = ""
        self.text.observe(self._on_enter, names="value")
        self.send_button.disabled = True
        self.status.value = "<span class='ta-muted'>thinking…</span>"
        try:
            turn = self.agent.send(message, today=self.date.value or dt.date.today())
        except Exception as exc:  # the model or generation failed: show it, keep the app alive
            self._html_turns.append(f'<div class="ta-msg ta-user"><b>You</b><br>{_e(message)}</div>'
                                    f'<div class="ta-msg ta-bad"><b>Error</b> {_e(type(exc).__name__)}: {_e(exc)}</div>')
            self.status.value = ""
            self.send_button.disabled = False
            self._refresh()
            return None
        self.turns.append(turn)
        self._html_turns.append(render_turn(turn))
        self.status.value = ""
        self.send_button.disabled = False
        self._refresh()
        return turn

    def reset(self) -> None:
        self.agent.reset()
        self.turns.clear()
        self._html_turns.clear()
        self._refresh()

    def clear_tasks(self) -> None:
        self.store.clear()
        self._refresh()

    def _refresh(self) -> None:
        self.transcript.value = CSS + ("".join(self._html_turns) or "<span class='ta-muted'>Say hello, or ask me to add a task.</span>")
        self.tasks.value = render_tasks(self.store)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def chat_app_for_model(model, tokenizer, store: TaskStore, max_new_tokens: int = MAX_NEW_TOKENS, **kwargs: Any) -> ChatApp:
    """A ChatApp on a loaded model (`lib.model.load_model`), noting when no adapter is loaded."""
    info = getattr(model, "taskagent_info", {})
    notice = kwargs.pop("notice", None)
    if notice is None and not info.get("adapter"):
        notice = "No fine-tuned adapter found: this is the base model, expect off-contract replies."
    title = f"TaskAgent · {info.get('model_name', 'model')}" + (f" + {info['adapter']}" if info.get("adapter") else "")
    return ChatApp(make_generate_fn(model, tokenizer, max_new_tokens), store, title=title, notice=notice, **kwargs)
