"""lib.retry: which answers get a second try, which alternative is carried out, and that nothing
in it touches the store or raises on any text."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.agent import Agent
from lib.parser import format_action, format_final
from lib.retry import answer_with_retry, choose_answer, dry_run_errors, should_retry
from lib.store import TaskStore

TODAY = dt.date(2026, 11, 26)


def act(*calls: dict) -> str:
    return format_action(list(calls), "test")


def call(name: str, **args) -> dict:
    return {"name": name, "args": args}


def store_with(*tasks: dict) -> TaskStore:
    return TaskStore.from_snapshot(list(tasks))


def test_an_answer_that_works_is_kept_and_alternatives_are_never_asked_for():
    store = store_with({"title": "Call mom", "due_date": None, "status": "open"})
    first = act(call("complete_task", title="Call mom"))

    def no_alternatives(prompt):
        raise AssertionError("asked for alternatives although the first answer works")

    assert answer_with_retry(first, "prompt", no_alternatives, store, TODAY) == (first, None)
    assert answer_with_retry(format_final("Hi!"), "prompt", no_alternatives, store, TODAY) == (format_final("Hi!"), None)


def test_restore_of_an_open_task_is_replaced_by_the_first_alternative_that_works():
    store = store_with({"title": "Cut the hedge", "due_date": None, "status": "open"})
    first = act(call("restore_task", title="Cut the hedge"))  # open, not in the trash: fails
    alternatives = [first, act(call("delete_task", title="Hedge trimmer")),  # same answer; not found
                    act(call("complete_task", title="Cut the hedge")),
                    act(call("update_task", title="Cut the hedge", new_title="Trim the hedge"))]
    assert [e["code"] for e in dry_run_errors(first, store, TODAY)] == ["not_in_trash"]
    assert choose_answer(first, alternatives, store, TODAY) == (alternatives[2], 2)
    assert store.snapshot() == [{"title": "Cut the hedge", "due_date": None, "status": "open"}]  # dry runs only


def test_unparsable_and_unknown_tool_answers_are_retried():
    store = store_with()
    for first in ("<action>\nadd_task(title=\"Read\n</action>", act(call("find_task", title="Banana bread"))):
        assert should_retry(dry_run_errors(first, store, TODAY))
        assert choose_answer(first, [format_final("That's outside what I can do.")], store, TODAY)[1] == 0


def test_failures_about_the_store_stand():
    store = store_with({"title": "Call mom", "due_date": None, "status": "open"},
                       {"title": "Call mom's doctor", "due_date": None, "status": "done"},
                       {"title": "Pay rent", "due_date": None, "status": "done"})
    done_already = act(call("complete_task", title="Pay rent"))
    assert [e["code"] for e in dry_run_errors(done_already, store, TODAY)] == ["already_done"]
    assert choose_answer(done_already, [act(call("delete_task", title="Pay rent"))], store, TODAY) == (done_already, None)
    no_title = act(call("add_task", title="Tomorrow"))  # "add a task for tomorrow": the user gave no title
    assert [e["code"] for e in dry_run_errors(no_title, store, TODAY)] == ["needs_title"]
    assert choose_answer(no_title, [act(call("add_task", title="Add a task"))], store, TODAY) == (no_title, None)


def test_a_task_that_was_not_found_is_never_added_by_a_retry():
    store = store_with({"title": "Water the garden", "due_date": None, "status": "open"})
    first = act(call("update_task", title="Call the dentist", due_date="friday"))  # no such task
    adds_it = act(call("add_task", title="call the dentist", due_date="friday"))
    other = act(call("update_task", title="Water the garden", due_date="friday"))
    assert choose_answer(first, [adds_it], store, TODAY) == (first, None)
    assert choose_answer(first, [adds_it, other], store, TODAY) == (other, 1)


def test_the_first_failing_call_of_a_block_is_reported_not_the_calls_that_did_not_run():
    store = store_with()
    block = act(call("delete_task", title="Nothing here"), call("add_task", title="Buy milk"))
    errors = dry_run_errors(block, store, TODAY)
    assert [(e["code"], e["title"]) for e in errors] == [("not_found", "Nothing here")]


answers = st.one_of(
    st.text(max_size=80),
    st.builds(lambda t: act(call("add_task", title=t)), st.text(min_size=1, max_size=20)),
    st.builds(lambda t: act(call("delete_task", title=t)), st.sampled_from(["Call mom", "x", "Call"])),
    st.builds(lambda t: act(call("restore_task", title=t)), st.sampled_from(["Call mom", "Old one"])),
    st.just(format_final("ok")),
)


@settings(max_examples=150, deadline=None)
@given(first=answers, alternatives=st.lists(answers, max_size=4))
def test_any_text_gives_one_of_the_answers_and_leaves_the_store_alone(first, alternatives):
    store = store_with({"title": "Call mom", "due_date": None, "status": "open"},
                       {"title": "Old one", "due_date": None, "status": "open", "deleted": True})
    before = store.snapshot()
    chosen, used = choose_answer(first, alternatives, store, TODAY)
    assert chosen == (first if used is None else alternatives[used])
    if used is not None:
        assert not dry_run_errors(chosen, store, TODAY)
    assert store.snapshot() == before


def test_the_agent_carries_out_the_alternative_and_says_so():
    store = store_with({"title": "Cut the hedge", "due_date": None, "status": "open"})
    greedy = act(call("restore_task", title="Cut the hedge"))  # open, not in the trash: fails
    fixed = act(call("complete_task", title="Cut the hedge"))
    agent = Agent(lambda prompt: greedy, store, today=TODAY, alternatives=lambda prompt: [greedy, fixed])
    turn = agent.send("the hedge is cut")
    assert turn.raw == fixed and turn.retried_from == greedy
    assert [r["status"] for r in turn.results] == ["success"]
    assert store.snapshot()[0]["status"] == "done"
    assert agent.history[1]["content"] == fixed  # the history holds what was carried out
    agent_plain = Agent(lambda prompt: greedy, store_with(), today=TODAY)
    assert agent_plain.send("restore x").retried_from is None
