"""The chat widget, driven headlessly: set the text, click Send, read the transcript and store."""

import datetime as dt

import pytest

from lib.chat_widget import ChatApp, chat_app_for_model
from lib.parser import format_action, format_final
from lib.store import TaskStore


def scripted(prompt):
    text = prompt.messages[-1]["content"]
    if text.startswith("add "):
        return format_action([{"name": "add_task", "args": {"title": text[4:], "due_date": "2026-03-11"}}],
                             "User wants <b>a</b> task.")
    if text == "garbage":
        return "add_task(title='x')  <- no tags at all"
    if text == "explode":
        raise RuntimeError("CUDA out of memory (simulated)")
    if text == "list":
        return format_action([{"name": "list_tasks", "args": {"status": "all"}}])
    return format_final("Hello! I manage your tasks.")


@pytest.fixture()
def app():
    return ChatApp(scripted, TaskStore(), today=dt.date(2026, 3, 10))


def _enter(app):
    """What the browser sends when Enter is pressed in the text box."""
    app.text._handle_string_msg(None, {"event": "submit"}, None)


def test_send_button_runs_a_turn_and_updates_the_table(app):
    app.text.value = "add Buy milk"
    app.send_button.click()
    assert app.text.value == ""
    assert [t.title for t in app.store.list("all")] == ["Buy milk"]
    assert "Buy milk" in app.tasks.value and "2026-03-11" in app.tasks.value
    html = app.transcript_html()
    assert "add_task" in html and "Task added" in html and "<details>" in html
    assert "&lt;b&gt;a&lt;/b&gt;" in html  # model text is escaped, never injected as HTML


def test_enter_sends_but_typing_or_leaving_the_box_does_not(app):
    app.text.value = "hello"  # typing (or focus leaving the box) only changes the value
    assert app.turns == []
    _enter(app)
    assert len(app.turns) == 1 and "Hello! I manage your tasks." in app.transcript_html()


def test_each_turn_is_its_own_child_so_earlier_turns_are_never_redrawn(app):
    app.send("hello")
    first = app.messages.children[0]
    app.send("add Pay rent")
    assert app.messages.children[0] is first and len(app.messages.children) == 2
    assert app.transcript.layout.flex_flow == "column-reverse"  # stays scrolled to the newest turn


def test_list_results_are_lists(app):
    app.send("add A")
    app.send("list")
    assert "<ul><li>A" in app.transcript_html()


def test_undo_and_a_confirmed_clear(app):
    app.send("add Keep me")
    assert app.store.count() == 1
    app.undo_button.click()
    assert app.store.count() == 0 and "Undone" in app.transcript_html()
    app.undo_button.click()
    assert "Nothing to undo" in app.transcript_html()
    app.send("add Again")
    app.clear_button.click()
    assert app.store.count() == 1 and app.confirm_box.layout.display == "flex"  # asks first
    app.cancel_clear.click()
    assert app.store.count() == 1 and app.confirm_box.layout.display == "none"
    app.clear_button.click()
    app.confirm_clear.click()
    assert app.store.count() == 0 and "No tasks yet" in app.tasks.value


def test_a_bad_date_is_refused_and_the_last_good_one_kept(app):
    app.date.value = "11/26/2026"
    assert "Today must be a date" in app.status.value and app.today == dt.date(2026, 3, 10)
    app.date.value = "2026-11-26"
    assert app.today == dt.date(2026, 11, 26) and app.status.value == ""


def test_bad_output_is_shown_raw_and_never_touches_the_store(app):
    app.send("add Pay rent")
    turn = app.send("garbage")
    assert turn.parsed.kind == "invalid"
    assert "could not be parsed" in app.transcript_html() and "no_tags" in app.transcript_html()
    assert "add_task(title=&#x27;x&#x27;)" in app.transcript_html()
    assert [t.title for t in app.store.list("all")] == ["Pay rent"]


def test_a_failing_model_does_not_crash_the_widget(app):
    assert app.send("explode") is None
    assert "CUDA out of memory" in app.transcript_html() and not app.send_button.disabled
    assert app.send("hello") is not None


def test_history_date_reset_and_clear(app):
    app.send("add A")
    app.date.value = "2027-01-01"
    turn = app.send("hello")
    assert turn.today == dt.date(2027, 1, 1)
    assert len(app.agent.history) == 5  # user, assistant, tool result, user, assistant
    app.reset_button.click()
    assert app.agent.history == [] and app.turns == [] and app.store.count() == 1 and app.messages.children == ()


def test_widget_on_the_tiny_offline_model():
    """A real (untrained) model behind the widget: every turn renders, and the store only holds
    what successful calls added."""
    from lib.model import load_model

    model, tok = load_model("tiny", 1024, load_in_4bit=False)
    app = chat_app_for_model(model, tok, TaskStore(), max_new_tokens=24, today=dt.date(2026, 3, 10))
    assert "No fine-tuned adapter" in app.header.value
    assert app.agent.alternatives is None  # the checked retry is for fine-tuned models (lib.retry)
    for message in ["hi", "add buy milk tomorrow"]:
        app.text.value = message
        _enter(app)
    assert len(app.turns) == 2
    added = sum(r["status"] == "success" and r["message"].startswith("Task added") for t in app.turns for r in t.results)
    assert app.store.count() == added
    assert app.transcript_html().count("ta-user") >= 2


def test_a_second_try_is_carried_out_and_shown():
    """An answer that cannot be carried out (done a task that does not exist) is replaced by the
    model's alternative that can; the transcript shows the first answer under 'second try'."""
    first = format_action([{"name": "complete_task", "args": {"title": "Buy mlik <now>"}}])
    fixed = format_action([{"name": "add_task", "args": {"title": "Walk the dog"}}])
    app = ChatApp(lambda prompt: first, TaskStore(), today=dt.date(2026, 3, 10), alternatives=lambda prompt: [fixed])
    app.text.value = "walk the dog"
    app.send_button.click()
    assert [t.title for t in app.store.list("all")] == ["Walk the dog"]
    html = app.transcript_html()
    assert "second try" in html and "Buy mlik &lt;now&gt;" in html


def test_a_fine_tuned_model_gets_the_checked_retry_unless_turned_off():
    """chat_app_for_model gives a model with an adapter the second try by default."""
    import types

    from lib.chat_widget import RETRY_BY_DEFAULT

    fake = types.SimpleNamespace(taskagent_info={"adapter": "somewhere", "model_name": "m", "prompt_style": "compact"})
    assert RETRY_BY_DEFAULT
    assert chat_app_for_model(fake, None, TaskStore()).agent.alternatives is not None
    assert chat_app_for_model(fake, None, TaskStore(), retry=False).agent.alternatives is None
