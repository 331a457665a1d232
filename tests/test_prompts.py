"""The system prompts: what each style tells the model, and that a bad style is refused."""

import datetime as dt

import pytest

from lib.prompts import PROMPT_STYLES, build_prompt, system_prompt
from lib.tools import TOOLS

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize("style", PROMPT_STYLES)
def test_every_style_says_today_and_its_weekday(style):
    assert "Friday, 2026-11-27" in system_prompt(TODAY, style, tasks=[])


def test_compact_names_every_tool_and_minimal_none():
    compact, minimal = system_prompt(TODAY, "compact"), system_prompt(TODAY, "minimal")
    assert all(name in compact for name in TOOLS)
    assert not any(name in minimal for name in TOOLS)
    assert compact.startswith(minimal) and len(minimal) < len(compact) / 2


def test_contract_spells_out_the_reply_format():
    contract = system_prompt(TODAY, "contract")
    assert all(name + "(" in contract for name in TOOLS)
    assert "<analysis>" in contract and "<final>" in contract


def test_build_prompt_puts_the_styles_system_prompt_first():
    history = [{"role": "system", "content": "ignored"}, {"role": "user", "content": "hi"},
               {"role": "assistant", "content": "<final>Hello!</final>"}]
    prompt = build_prompt(TODAY, user="add milk", history=history, style="minimal")
    assert prompt.messages[0] == {"role": "system", "content": system_prompt(TODAY, "minimal")}
    assert [m["role"] for m in prompt.messages] == ["system", "user", "assistant", "user"]


def test_an_unknown_style_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="compact, minimal, contract"):
        system_prompt(TODAY, "verbose")


def test_listed_names_the_open_and_done_tasks_newest_last_and_not_the_trash():
    from lib.prompts import MAX_LISTED_TASKS
    from lib.store import TaskStore

    store = TaskStore()
    assert system_prompt(TODAY, "listed", store.list()).endswith("\nTasks: none")
    milk, mom, old = store.add("Buy milk"), store.add("Call mom", "2026-11-28"), store.add("Old thing")
    store.set_status(mom.id, "done")
    store.delete(old.id)
    prompt = system_prompt(TODAY, "listed", store.list())
    assert prompt == system_prompt(TODAY, "compact") + "\nTasks: Buy milk; Call mom (done)"
    for i in range(MAX_LISTED_TASKS):
        store.add(f"Task {i}")
    line = system_prompt(TODAY, "listed", store.list()).splitlines()[-1]
    assert "Buy milk" not in line and line.endswith(f"Task {MAX_LISTED_TASKS - 1}")
    assert line.count(";") == MAX_LISTED_TASKS - 1


def test_listed_refuses_to_guess_the_list():
    with pytest.raises(ValueError, match="tasks="):
        system_prompt(TODAY, "listed")
    assert build_prompt(TODAY, user="hi", style="compact", tasks=None).messages[0]["content"] == system_prompt(TODAY)


def test_a_rows_listed_prompt_shows_the_list_after_its_earlier_turns():
    """A multi-turn row: the task its first turn added is on the list the last message is sent with."""
    from lib.dataset import Row

    row = Row.model_validate({
        "id": "r", "today": "2026-11-27", "category": "multi_turn",
        "tasks": [{"id": 1, "title": "Pay rent", "due_date": None, "status": "done"}],
        "messages": [{"role": "user", "content": "add water the plants"},
                     {"role": "assistant", "content": '<analysis>\nAdd it.\n</analysis>\n\n<action>\n'
                                                      'add_task(title="Water the plants")\n</action>'},
                     {"role": "user", "content": "actually make it Friday"}],
        "gold": [], "target": "<final>ok</final>"})
    assert row.prompt("listed").messages[0]["content"].endswith("\nTasks: Pay rent (done); Water the plants")
    assert row.prompt("compact").messages[0]["content"] == system_prompt(TODAY)


def test_the_agent_sends_the_list_as_it_stands_each_turn():
    from lib.agent import Agent
    from lib.store import TaskStore

    store = TaskStore()
    agent = Agent(lambda prompt: "<final>ok</final>", store, today=TODAY, prompt_style="listed")
    assert agent.prompt_for("hi", TODAY).messages[0]["content"].endswith("Tasks: none")
    store.add("Buy milk")
    assert agent.prompt_for("hi", TODAY).messages[0]["content"].endswith("Tasks: Buy milk")


def test_what_is_trained_is_what_is_served_by_default(tmp_path):
    # One prompt from data to serving: training's default, a row's training prompt, the agent (widget,
    # server) and an adapter without its training log all use the trained style, which names the list.
    from lib.agent import Agent
    from lib.dataset import Row
    from lib.model import adapter_prompt_style
    from lib.prompts import TRAINED_PROMPT_STYLE
    from lib.store import TaskStore
    from lib.presets import PRESETS
    from lib.train import preset_config

    assert TRAINED_PROMPT_STYLE == adapter_prompt_style(tmp_path) == "listed"
    assert {preset_config(name).prompt_style for name in PRESETS} == {TRAINED_PROMPT_STYLE}
    store = TaskStore()
    store.add("Buy milk")
    assert Agent(lambda prompt: "<final>ok</final>", store, today=TODAY).prompt_for("hi", TODAY) \
        .messages[0]["content"].endswith("\nTasks: Buy milk")
    row = Row.model_validate({"id": "r", "category": "list", "today": TODAY.isoformat(),
                              "tasks": [{"id": 1, "title": "Pay rent", "due_date": None, "status": "open"}],
                              "user": "what's on my list?",
                              "gold": [], "target": "<final>ok</final>"})
    assert row.chat()[0]["content"] == system_prompt(TODAY, "listed", row.prepare_store().list())
    assert row.chat()[0]["content"].endswith("\nTasks: Pay rent")
