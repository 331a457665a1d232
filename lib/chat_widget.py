"""An ipywidgets chat with the agent: transcript, live task table, undo, reset, clear, date.

Everything goes through `lib.agent.Agent` (the same loop the server and the evaluation use).
`ChatApp.send(text)` is the programmatic API that the Send button, the Enter key, the tests and
notebook 04's scripted conversation all call. Works with ipywidgets 7 (Colab) and 8.

Made to be read in a browser (tests/test_widget_browser.py drives it in Chromium): each turn is
its own HTML child appended to the transcript, so earlier turns are never redrawn (an expanded
analysis stays open); the transcript scrolls itself to the newest reply (a column-reverse box);
long words wrap; due dates never break; list results are lists; only Enter or Send sends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import warnings
from typing import Any, Optional

import ipywidgets as W

from lib.agent import Agent, Generate, ModelError, Turn
from lib.dates import resolve_date
from lib.generation import MAX_NEW_TOKENS, make_alternatives_fn, make_generate_fn
from lib.prompts import TRAINED_PROMPT_STYLE, PromptStyle
from lib.retry import Alternatives
from lib.store import TaskStore, title_words

CSS = """<style>
.ta-msg{margin:6px 0;padding:8px 10px;border-radius:8px;max-width:95%;font-size:13px;line-height:1.4;
        overflow-wrap:anywhere;word-break:break-word}
.ta-user{background:#e8f0fe;border:1px solid #c6dafc;margin-left:auto}
.ta-agent{background:#f6f8fa;border:1px solid #d0d7de}
.ta-bad{background:#fff1f0;border:1px solid #ffa39e}
.ta-note{color:#57606a;font-size:12px;font-style:italic;margin:4px 0}
.ta-call{font-family:monospace;font-size:12px;background:#fff;border:1px solid #d0d7de;border-radius:4px;padding:2px 6px;
         margin:3px 0;overflow-wrap:anywhere}
.ta-ok{color:#1a7f37}.ta-err{color:#cf222e}.ta-muted{color:#57606a;font-size:11px}
.ta-raw{white-space:pre-wrap;font-family:monospace;font-size:11px;background:#fff;padding:4px;overflow-wrap:anywhere}
.ta-msg ul{margin:2px 0 2px 18px;padding:0}
table.ta-tasks{border-collapse:collapse;font-size:12px;width:100%;table-layout:auto}
table.ta-tasks td,table.ta-tasks th{border-bottom:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
table.ta-tasks td.ta-title{overflow-wrap:anywhere;word-break:break-word}
table.ta-tasks td.ta-due,table.ta-tasks td.ta-status{white-space:nowrap}
</style>"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _task_line(t: dict[str, Any]) -> str:
    due = f" <span class='ta-muted'>due {_e(t['due_date'])}</span>" if t.get("due_date") else ""
    done = "" if t.get("status") == "open" else f" <span class='ta-muted'>[{_e(t.get('status'))}]</span>"
    return f"<li>{_e(t['title'])}{due}{done}</li>"


def render_turn(turn: Turn) -> str:
    """One exchange as HTML: the user's message, then analysis (collapsible), calls with their
    results, or the final reply; unparseable output is shown raw with its error codes."""
    parts = [f'<div class="ta-msg ta-user"><b>You</b> <span class="ta-muted">({_e(turn.today.isoformat())})</span>'
             f'<br>{_e(turn.user)}</div>']
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
    if turn.retried_from is not None:  # say so: the user should know which answer was carried out
        body.append("<details><summary class='ta-muted'>second try: the first answer could not be carried "
                    f"out</summary><div class='ta-raw'>{_e(turn.retried_from)}</div></details>")
    if p.kind == "final":
        body.append(_e(p.final))
    for call, result in zip(p.calls, turn.results):
        args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in call.args.items())
        ok = result.get("status") == "success"
        listed = ""
        if "tasks" in result:
            listed = "<ul>" + "".join(_task_line(t) for t in result["tasks"]) + "</ul>" if result["tasks"] else ""
        body.append(f'<div class="ta-call">{_e(call.name)}({_e(args)})</div>'
                    f'<div class="{"ta-ok" if ok else "ta-err"}">{"✓" if ok else "✗"} {_e(result.get("message", ""))}'
                    f'</div>{listed}')
    parts.append(f'<div class="ta-msg ta-agent"><b>Agent</b><br>{"".join(body)}</div>')
    return "".join(parts)


def render_tasks(store: TaskStore) -> str:
    tasks = store.list("all")
    if not tasks:
        return '<span class="ta-muted">No tasks yet.</span>'
    rows = "".join(
        f"<tr><td class='ta-title'>{_e(t.title)}</td><td class='ta-due'>{_e(t.due_date or '—')}</td>"
        f"<td class='ta-status {'ta-ok' if t.status == 'done' else ''}'>{_e(t.status)}</td></tr>" for t in tasks
    )
    trash = len(store.trash())
    note = f"<div class='ta-muted'>{trash} in the trash (ask me to restore one)</div>" if trash else ""
    return f"<table class='ta-tasks'><tr><th>Title</th><th>Due</th><th>Status</th></tr>{rows}</table>{note}"


class ChatApp:
    """The chat widget. `app.widget` is what to display; `app.send("...")` drives it in code."""

    def __init__(self, generate: Generate, store: TaskStore, today: Optional[dt.date] = None,
                 title: str = "TaskAgent", notice: Optional[str] = None, max_history_messages: int = 12,
                 prompt_style: PromptStyle = TRAINED_PROMPT_STYLE, alternatives: Optional[Alternatives] = None) -> None:
        self.agent = Agent(generate, store, max_history_messages=max_history_messages, prompt_style=prompt_style,
                           alternatives=alternatives)
        self.store = store
        self.title = title + (f" ({notice})" if notice else "")
        self.turns: list[Turn] = []
        self.today = today or dt.date.today()
        self.header = W.HTML(CSS + f"<b>{_e(title)}</b>" + (f"<br><span class='ta-err'>{_e(notice)}</span>" if notice else ""))
        # An ISO text field, not a DatePicker: the browser would show its own locale's format
        # (11/26/2026) while the transcript says 2026-11-26.
        self.date = W.Text(value=self.today.isoformat(), description="Today", layout=W.Layout(width="210px"))
        self.date.observe(self._on_date, names="value")
        # Enter must send and leaving the box must not. The front end syncs the value on "change"
        # (Enter or leaving the box) and sends a separate "submit" message on Enter only, which can
        # overtake the value: so a submit sends the value that arrives next, or, when nothing
        # changed since the last sync, the current one after a moment (`_flush_submit`).
        self.text = W.Text(placeholder="Ask me to add, list, change, complete or delete tasks…",
                           continuous_update=False, layout=W.Layout(flex="1 1 auto", width="auto"))
        self._submit_pending = False
        self.text.observe(self._on_value, names="value")
        with warnings.catch_warnings():  # deprecated in ipywidgets 8, yet the only Enter-only event in 7 and 8
            warnings.simplefilter("ignore")
            self.text.on_submit(self._on_submit)
        self.send_button = W.Button(description="Send", button_style="primary", icon="paper-plane")
        self.undo_button = W.Button(description="Undo last action", icon="undo",
                                    tooltip="put back what the agent's last action changed")
        self.reset_button = W.Button(description="Reset chat", icon="refresh")
        self.clear_button = W.Button(description="Clear tasks", button_style="warning", icon="trash")
        self.confirm_clear = W.Button(description="Yes, delete all", button_style="danger")
        self.cancel_clear = W.Button(description="Cancel")
        self.confirm_box = W.HBox([W.HTML(), self.confirm_clear, self.cancel_clear], layout=W.Layout(display="none"))
        self.status = W.HTML()
        # The inner boxes keep their natural height (no shrinking, no scrolling of their own), so the
        # outer box is the one that overflows; column-reverse starts it scrolled to its end and
        # keeps it there as turns are added.
        natural = dict(flex="0 0 auto", overflow="visible")
        self.messages = W.VBox([], layout=W.Layout(width="100%", **natural))
        self.empty = W.HTML("<span class='ta-muted'>Say hello, or ask me to add a task.</span>")
        self.transcript = W.Box([W.VBox([self.empty, self.messages], layout=W.Layout(**natural))], layout=W.Layout(
            display="flex", flex_flow="column-reverse", overflow="auto", height="420px", border="1px solid #d0d7de",
            padding="6px"))
        self.tasks = W.HTML(layout=W.Layout(border="1px solid #d0d7de", padding="6px"))
        self.send_button.on_click(lambda _: self.send())
        self.undo_button.on_click(lambda _: self.undo())
        self.reset_button.on_click(lambda _: self.reset())
        self.clear_button.on_click(lambda _: self._ask_clear())
        self.confirm_clear.on_click(lambda _: self.clear_tasks())
        self.cancel_clear.on_click(lambda _: self._hide_confirm())
        self.widget = W.VBox([
            self.header,
            W.HBox([self.date, self.undo_button, self.reset_button, self.clear_button]),
            self.confirm_box,
            W.HBox([W.VBox([self.transcript], layout=W.Layout(width="62%")),
                    W.VBox([W.HTML("<b>Tasks</b>"), self.tasks], layout=W.Layout(width="38%"))]),
            W.HBox([self.text, self.send_button]),
            self.status,
        ])
        self._refresh_tasks()

    # -- actions ------------------------------------------------------------------------------
    def _append(self, html_text: str) -> None:
        self.empty.layout.display = "none"
        self.messages.children = self.messages.children + (W.HTML(html_text),)

    def transcript_html(self) -> str:
        """Everything the transcript shows, as HTML (what the tests read)."""
        return "".join(child.value for child in self.messages.children)

    def _on_submit(self, _: Any) -> None:
        self._submit_pending = True
        try:
            asyncio.get_running_loop().call_later(0.4, self._flush_submit)
        except RuntimeError:  # no event loop (headless use): the value is already current
            self._flush_submit()

    def _on_value(self, change: dict[str, Any]) -> None:
        if self._submit_pending and change["new"].strip():
            self._flush_submit()

    def _flush_submit(self) -> None:
        if self._submit_pending:
            self._submit_pending = False
            self.send()

    def _on_date(self, change: dict[str, Any]) -> None:
        try:
            self.today = dt.date.fromisoformat(change["new"].strip())
            self.status.value = ""
        except ValueError:
            self.status.value = f"<span class='ta-err'>Today must be a date like {self.today.isoformat()}</span>"

    def send(self, text: Optional[str] = None) -> Optional[Turn]:
        """Send `text` (default: the text box). Never raises: a failing model is shown as an error."""
        message = (self.text.value if text is None else text).strip()
        if not message:
            return None
        self._submit_pending = False
        self.text.value = ""
        self.send_button.disabled = True
        self.status.value = "<span class='ta-muted'>thinking…</span>"
        try:
            turn = self.agent.send(message, today=self.today)
        except ModelError as exc:  # the model failed: show it, keep the app alive
            self._append(f'<div class="ta-msg ta-user"><b>You</b><br>{_e(message)}</div>'
                         f'<div class="ta-msg ta-bad"><b>Error</b> {_e(exc)}</div>')
            return None
        finally:
            self.status.value = ""
            self.send_button.disabled = False
        self.turns.append(turn)
        self._append(render_turn(turn))
        self._refresh_tasks()
        return turn

    def undo(self) -> Optional[str]:
        said = self.agent.undo()
        self._append(f"<div class='ta-note'>{_e(said or 'Nothing to undo: no action changed the tasks yet.')}</div>")
        self._refresh_tasks()
        return said

    def reset(self) -> None:
        self.agent.reset()
        self.turns.clear()
        self.messages.children = ()
        self.empty.layout.display = None

    def _ask_clear(self) -> None:
        n = self.store.count() + len(self.store.trash())
        self.confirm_box.children[0].value = f"<span class='ta-err'>Delete all {n} tasks for good (the trash too)?</span>"
        self.confirm_box.layout.display = "flex"

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"

    def clear_tasks(self) -> None:
        self.store.clear()
        self.agent.undo_stack.clear()  # nothing left to put back
        self._hide_confirm()
        self._refresh_tasks()

    def _refresh_tasks(self) -> None:
        self.tasks.value = render_tasks(self.store)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


RETRY_BY_DEFAULT = True  # the checked second try (lib.retry): adopted by its rule on two new seeds (docs/benchmarks.md)


def chat_app_for_model(model, tokenizer, store: TaskStore, max_new_tokens: int = MAX_NEW_TOKENS,
                       retry: Optional[bool] = None, **kwargs: Any) -> ChatApp:
    """A ChatApp on a loaded model (`lib.model.load_model`), noting when no adapter is loaded.
    `retry`: a checked second try for answers that cannot be carried out (fine-tuned models only;
    None: RETRY_BY_DEFAULT)."""
    info = getattr(model, "taskagent_info", {})
    notice = kwargs.pop("notice", None)
    if notice is None and not info.get("adapter"):
        notice = "No fine-tuned adapter found: this is the base model, expect off-contract replies."
    title = f"TaskAgent · {info.get('model_name', 'model')}" + (f" + {info['adapter']}" if info.get("adapter") else "")
    # a checked second try (lib.retry) for the fine-tuned model, whose answers it was measured on
    retry = RETRY_BY_DEFAULT if retry is None else retry
    alternatives = make_alternatives_fn(model, tokenizer, max_new_tokens=max_new_tokens) \
        if retry and info.get("adapter") else None
    return ChatApp(make_generate_fn(model, tokenizer, max_new_tokens), store, title=title, notice=notice,
                   prompt_style=info.get("prompt_style", "contract"), alternatives=alternatives, **kwargs)


def chat_app_for_server(base_url: str, served_model: str, store: TaskStore, api_key_env: str = "OPENAI_API_KEY",
                        prompt_style: str = TRAINED_PROMPT_STYLE, **kwargs: Any) -> ChatApp:
    """A ChatApp on an OpenAI-compatible engine (vLLM, llama.cpp, Ollama) instead of a loaded model."""
    from lib.remote import OpenAICompatible

    backend = OpenAICompatible(base_url, served_model, api_key_env=api_key_env, prompt_style=prompt_style)
    return ChatApp(backend, store, title=f"TaskAgent · {served_model} at {base_url}", prompt_style=prompt_style, **kwargs)


def check_script(app: ChatApp, expected_tasks: list[tuple[str, Optional[str], str]]) -> list[str]:
    """What is wrong with the store after a scripted conversation (empty: nothing). Each expected
    task is (words of its title, its due date as said or None, its status); the summary the agent
    gave, if it gave one, must match the store."""
    problems = []
    today = app.turns[-1].today if app.turns else dt.date.today()
    tasks = app.store.list("all")
    for words, due, status in expected_tasks:
        found = [t for t in tasks if title_words(words) <= title_words(t.title)]
        if len(found) != 1:
            problems.append(f"expected one task about {words!r}, found {[t.title for t in found]}")
            continue
        want = resolve_date(due, today).isoformat() if due else None
        if found[0].due_date != want:
            problems.append(f"{found[0].title!r} is due {found[0].due_date}, expected {want} ({due})")
        if found[0].status != status:
            problems.append(f"{found[0].title!r} is {found[0].status}, expected {status}")
    if len(tasks) != len(expected_tasks):
        problems.append(f"the store holds {len(tasks)} tasks, expected {len(expected_tasks)}")
    said = [r["summary"] for t in app.turns for r in t.results if "summary" in r]
    if said and said[-1] != app.store.summary(today):
        problems.append(f"the last summary {said[-1]} does not match the store {app.store.summary(today)}")
    return problems
