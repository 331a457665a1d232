import datetime as dt
import multiprocessing as mp
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.agent import Agent
from lib.executor import NOT_RUN, execute, execute_block
from lib.parser import format_action, format_final
from lib.store import TaskStore

TODAY = dt.date(2026, 11, 25)


def add(title, due=None):
    args = {"title": title} if due is None else {"title": title, "due_date": due}
    return {"name": "add_task", "args": args}


def test_add_list_summarize():
    store = TaskStore()
    r = execute([add("Buy groceries", "2026-11-25"), add("Pay rent", "2026-11-20"), add("Read")], store, TODAY)
    assert r[0] == {"status": "success", "message": "Task added: 'Buy groceries' (due Wednesday 2026-11-25)",
                    "due_date": "2026-11-25", "task_count": 1}
    execute([{"name": "complete_task", "args": {"title": "read"}}], store, TODAY)
    listed = execute([{"name": "list_tasks", "args": {"status": "done"}}], store, TODAY)[0]
    assert [t["title"] for t in listed["tasks"]] == ["Read"]
    summary = execute([{"name": "summarize_tasks", "args": {}}], store, TODAY)[0]["summary"]
    assert summary == {"total": 3, "open": 2, "done": 1, "due_today": 1, "overdue": 1}


@pytest.mark.parametrize("bad", [
    add("   "), add("x" * 201), add("A", "2026-02-30"), add("A", "26-01-2026"), add("A", "20260125"),
    add("A", "some fine day"), add("A", 20260125), add("On Friday"), add("a new to-do item", "tomorrow"), add("\u200b\u200b"), add("A\ud800"),
    {"name": "update_task", "args": {"title": "Existing"}}, {"name": "update_task", "args": {"title": "E", "status": "gone"}},
    {"name": "list_tasks", "args": {"status": "pending"}}, {"name": "add_task", "args": {"title": "A", "priority": 1}},
    {"name": "add_task", "args": {"title": 5}}, {"name": "rm_rf", "args": {}}, {"name": "add_task", "args": "title=A"},
    "garbage", None,
])
def test_invalid_call_in_block_writes_nothing(bad):
    store = TaskStore()
    execute([add("Existing")], store, TODAY)
    before = store.snapshot()
    results = execute([add("New one"), bad, add("Another")], store, TODAY)
    assert store.snapshot() == before
    assert [r["status"] for r in results] == ["error"] * 3
    assert results[0]["code"] == NOT_RUN and results[1]["code"] in ("invalid_arguments", "unknown_tool", "needs_title")


def test_runtime_failure_rolls_back_whole_block():
    store = TaskStore()
    execute([add("Walk dog")], store, TODAY)
    results = execute([add("Feed cat"), {"name": "delete_task", "args": {"title": "walk the cat"}}], store, TODAY)
    assert [r.get("code") for r in results] == [NOT_RUN, "not_found"]
    assert "'Walk dog'" in results[1]["message"]  # closest title named
    assert store.snapshot() == [{"title": "Walk dog", "due_date": None, "status": "open"}]


def test_due_dates_are_resolved_by_code_and_shown():
    store = TaskStore()
    r = execute([add("Dentist", "next Friday"), add("Rent", "the 1st"), add("Gym", "tomorrow morning")], store, TODAY)
    assert [t["due_date"] for t in store.snapshot()] == ["2026-12-04", "2026-12-01", "2026-11-26"]
    assert r[0]["message"] == "Task added: 'Dentist' (due Friday 2026-12-04)"
    bad = execute([add("Call Sam", "when pigs fly")], store, TODAY)[0]
    assert bad["code"] == "invalid_arguments" and "next Friday" in bad["message"]  # the accepted forms are named
    assert store.count() == 3


def test_update_renames_redates_clears_and_reopens():
    store = TaskStore()
    execute([add("Call mom", "tomorrow"), add("Pay rent")], store, TODAY)
    upd = lambda **a: execute([{"name": "update_task", "args": a}], store, TODAY)[0]  # noqa: E731
    assert upd(title="call mom", due_date="Friday")["message"] == "Task updated: 'Call mom' due Friday 2026-11-27."
    assert upd(title="Call mom", new_title="Call mum")["status"] == "success"
    assert upd(title="Call mum", due_date=None)["message"] == "Task updated: 'Call mum' no due date."
    execute([{"name": "complete_task", "args": {"title": "pay rent"}}], store, TODAY)
    assert upd(title="Pay rent", status="open")["status"] == "success"
    assert store.snapshot() == [{"title": "Call mum", "due_date": None, "status": "open"},
                                {"title": "Pay rent", "due_date": None, "status": "open"}]
    assert upd(title="Call mum", new_title="Pay rent")["code"] == "duplicate"


def test_delete_goes_to_the_trash_and_restore_brings_it_back():
    store = TaskStore()
    execute([add("Water plants", "2026-12-01")], store, TODAY)
    r = execute([{"name": "delete_task", "args": {"title": "water plants"}}], store, TODAY)[0]
    assert r["status"] == "success" and "trash" in r["message"] and store.count() == 0
    assert [t.title for t in store.trash()] == ["Water plants"]
    again = execute([{"name": "restore_task", "args": {"title": "Water plants"}}], store, TODAY)[0]
    assert again["status"] == "success" and store.snapshot() == [{"title": "Water plants", "due_date": "2026-12-01",
                                                                   "status": "open"}]
    assert execute([{"name": "restore_task", "args": {"title": "water plants"}}], store, TODAY)[0]["code"] == "not_in_trash"


def test_reopening_a_deleted_task_restores_it_and_nothing_else_looks_in_the_trash():
    store = TaskStore()
    execute([add("Send the invoice"), add("Bake cookies")], store, TODAY)
    execute([{"name": "complete_task", "args": {"title": "Send the invoice"}}], store, TODAY)
    execute([{"name": "delete_task", "args": {"title": "Send the invoice"}},
             {"name": "delete_task", "args": {"title": "Bake cookies"}}], store, TODAY)
    block = execute_block([{"name": "update_task", "args": {"title": "invoice", "status": "open"}}], store, TODAY)
    r = block.results[0]
    assert r["status"] == "success" and r["message"].startswith("Task restored from the trash: 'Send the invoice'")
    assert [(t.title, t.status) for t in store.list("all")] == [("Send the invoice", "open")]
    assert [t.title for t in store.trash()] == ["Bake cookies"]
    store.revert(block.undo)
    assert store.count() == 0 and {t.title for t in store.trash()} == {"Send the invoice", "Bake cookies"}
    # any other change of a deleted task finds nothing: a rename, a date, or marking it done
    for args in ({"new_title": "Bake bread"}, {"due_date": "tomorrow"}, {"status": "done"},
                 {"status": "open", "due_date": "tomorrow"}):
        r = execute([{"name": "update_task", "args": {"title": "Bake cookies", **args}}], store, TODAY)[0]
        assert r["code"] == "not_found", args
    assert store.count() == 0


def test_restoring_a_done_task_reopens_it_and_the_trash_comes_first():
    store = TaskStore()
    execute([add("Cut the hedge"), add("Sell the old sofa", "2026-12-01")], store, TODAY)
    execute([{"name": "complete_task", "args": {"title": "Cut the hedge"}},
             {"name": "complete_task", "args": {"title": "Sell the old sofa"}}], store, TODAY)
    block = execute_block([{"name": "restore_task", "args": {"title": "cut the hedge"}}], store, TODAY)
    r = block.results[0]
    assert r["status"] == "success" and r["message"].startswith("Task reopened: 'Cut the hedge' (it was done")
    assert r["task"]["status"] == "open" and store.find("Cut the hedge", "open")
    store.revert(block.undo)  # reversible like every action
    assert store.find("Cut the hedge", "done") and not store.find("Cut the hedge", "open")
    # the same matching rules: the one done task holding every word
    assert "matched 'Sell the old sofa'" in execute([{"name": "restore_task", "args": {"title": "sofa"}}], store,
                                                    TODAY)[0]["message"]
    # an open task is still not in the trash; a title nothing names is still not found
    assert execute([{"name": "restore_task", "args": {"title": "Sell the old sofa"}}], store, TODAY)[0]["code"] \
        == "not_in_trash"
    assert execute([{"name": "restore_task", "args": {"title": "Walk the dog"}}], store, TODAY)[0]["code"] == "not_found"
    # a task in the trash is restored, even when a done one has the same title
    execute([add("Cut the hedge"), {"name": "delete_task", "args": {"title": "Cut the hedge"}}], store, TODAY)
    r = execute([{"name": "restore_task", "args": {"title": "Cut the hedge"}}], store, TODAY)[0]
    assert r["message"].startswith("Task restored:") and [t.status for t in store.list("all")
                                                           if t.title == "Cut the hedge"] == ["done", "open"]


def test_matching_is_case_and_whitespace_insensitive_and_never_touches_wrong_task():
    store = TaskStore()
    execute([add("Call  Mom"), add("Call mom later"), add("Email Bob")], store, TODAY)
    r = execute([{"name": "complete_task", "args": {"title": "  call MOM "}}], store, TODAY)[0]
    assert r["status"] == "success"
    assert [t["status"] for t in store.snapshot()] == ["done", "open", "open"]
    again = execute([{"name": "complete_task", "args": {"title": "call mom"}}], store, TODAY)[0]
    assert again["code"] == "already_done"


def test_a_second_open_task_with_the_same_title_is_refused():
    store = TaskStore()
    r = execute([add("Buy milk"), add("buy  MILK")], store, TODAY)
    assert [x.get("code") for x in r] == [NOT_RUN, "duplicate"] and store.count() == 0
    execute([add("Buy milk")], store, TODAY)
    execute([{"name": "complete_task", "args": {"title": "Buy milk"}}], store, TODAY)
    assert execute([add("Buy milk")], store, TODAY)[0]["status"] == "success"  # the first one is done


def test_duplicate_titles_act_on_the_oldest_and_say_so():
    """Stores written before the duplicate rule (or by hand) can hold the same title twice: a title
    then names the oldest, instead of answering 'ambiguous' forever."""
    store = TaskStore.from_snapshot([{"title": "Pay bill"}, {"title": "pay  BILL", "due_date": "2026-12-01"}])
    r = execute([{"name": "complete_task", "args": {"title": "Pay bill"}}], store, TODAY)[0]
    assert r["status"] == "success" and "2 tasks are titled 'Pay bill'; the oldest was completed" in r["message"]
    assert [t["status"] for t in store.snapshot()] == ["done", "open"]
    assert execute([{"name": "delete_task", "args": {"title": "pay bill"}}], store, TODAY)[0]["status"] == "success"
    assert store.list("all")[0].status == "done" and [t.title for t in store.trash()] == ["pay  BILL"]


def test_a_unique_partial_title_names_its_task_and_several_are_ambiguous():
    store = TaskStore()
    execute([add("Call the dentist"), add("Buy oat milk"), add("Buy almond milk")], store, TODAY)
    r = execute([{"name": "complete_task", "args": {"title": "the dentist one"}}], store, TODAY)[0]
    assert r["status"] == "success" and "'the dentist one' matched 'Call the dentist'" in r["message"]
    amb = execute([{"name": "delete_task", "args": {"title": "milk"}}], store, TODAY)[0]
    assert amb["code"] == "ambiguous" and set(amb["candidates"]) == {"Buy oat milk", "Buy almond milk"}
    assert execute([{"name": "complete_task", "args": {"title": "oat milk"}}], store, TODAY)[0]["status"] == "success"
    # open tasks come first: "milk" now names the one still open
    assert "'Buy almond milk'" in execute([{"name": "delete_task", "args": {"title": "milk"}}], store, TODAY)[0]["message"]


def test_a_near_spelling_names_the_one_task_spelled_so_and_says_which():
    store = TaskStore()
    execute([add("Reply to Emma's text"), add("Submit my timesheet"), add("Call mom")], store, TODAY)
    r = execute([{"name": "complete_task", "args": {"title": "Re reply to Emma's text"}}], store, TODAY)[0]
    assert r["status"] == "success"
    assert "'Re reply to Emma's text' read as 'Reply to Emma's text', the nearest spelling" in r["message"]
    r = execute([{"name": "delete_task", "args": {"title": "Submit my timsheet"}}], store, TODAY)[0]
    assert r["status"] == "success" and "read as 'Submit my timesheet'" in r["message"]
    assert [t.title for t in store.trash()] == ["Submit my timesheet"]
    r = execute([{"name": "restore_task", "args": {"title": "submitt my timesheet"}}], store, TODAY)[0]
    assert r["status"] == "success" and store.trash() == []
    # one letter in a short title is another task: "Call Tom" does not name "Call mom"
    miss = execute([{"name": "complete_task", "args": {"title": "Call Tom"}}], store, TODAY)[0]
    assert miss["code"] == "not_found" and miss["candidates"][0] == "Call mom"
    assert [t.status for t in store.list("all")] == ["done", "open", "open"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9) | st.sampled_from(["aaa", "aba"]),
                min_size=3, max_size=6),
       st.integers(min_value=0))
def test_a_title_with_one_letter_dropped_still_names_its_task(words, position):
    title = " ".join(words)  # 11+ characters: one slip stays above the near-spelling cutoff
    # (repetitive titles such as "aaa aaa aaa" are where difflib's greedy ratio fell short)
    store = TaskStore()
    execute([add(title)], store, TODAY)
    i = position % len(title)
    slipped = title[:i] + title[i + 1:]
    r = execute([{"name": "complete_task", "args": {"title": slipped}}], store, TODAY)[0]
    assert r["status"] == "success" and store.list("done")[0].title == title


def test_two_near_spellings_are_ambiguous_and_nothing_is_done():
    store = TaskStore()
    execute([add("Email Bob the report"), add("Email Rob the report")], store, TODAY)
    before = store.snapshot()
    r = execute([{"name": "delete_task", "args": {"title": "Email Dob the report"}}], store, TODAY)[0]
    assert r["code"] == "ambiguous" and set(r["candidates"]) == {"Email Bob the report", "Email Rob the report"}
    assert store.snapshot() == before


def test_titles_match_across_unicode_forms_and_invisible_characters():
    store = TaskStore()
    execute([add("Caf\u00e9 run"), add("Zoe\u200b party")], store, TODAY)  # NFC é; a zero-width space
    assert store.snapshot()[1]["title"] == "Zoe party"  # format characters are cleaned from titles
    r = execute([{"name": "complete_task", "args": {"title": "CAFE\u0301 RUN"}}], store, TODAY)[0]  # NFD É
    assert r["status"] == "success" and "matched" not in r["message"]


def test_undo_puts_back_exactly_what_a_block_changed():
    store = TaskStore()
    execute([add("Keep me"), add("Finish me")], store, TODAY)
    before = store.snapshot()
    from lib.executor import execute_block

    block = execute_block([{"name": "delete_task", "args": {"title": "Keep me"}},
                           {"name": "complete_task", "args": {"title": "finish me"}}, add("New", "tomorrow")], store, TODAY)
    assert [r["status"] for r in block.results] == ["success"] * 3 and store.snapshot() != before
    store.revert(block.undo)
    assert store.snapshot() == before and store.trash() == []


def test_a_busy_database_is_an_error_result_not_an_exception(tmp_path):
    path = tmp_path / "t.sqlite"
    holder = TaskStore(path, timeout_s=5)
    blocked = TaskStore(path, timeout_s=0.05)
    with holder.transaction():  # another writer holds the lock past the busy timeout
        r = execute([add("A")], blocked, TODAY)
    assert r[0]["code"] == "store_busy" and blocked.count() == 0


def test_add_then_complete_in_one_block():
    store = TaskStore()
    r = execute([add("Stretch"), {"name": "complete_task", "args": {"title": "stretch"}}], store, TODAY)
    assert [x["status"] for x in r] == ["success", "success"]
    assert store.snapshot()[0]["status"] == "done"


def _writer(path: str, prefix: str, n: int) -> None:
    store = TaskStore(path)
    for i in range(n):
        execute([add(f"{prefix} {i}"), add(f"{prefix} {i} b")], store, TODAY)
    store.close()


def test_two_processes_write_one_file_without_losing_rows(tmp_path):
    path = str(tmp_path / "tasks.sqlite")
    TaskStore(path).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, p, 40)) for p in ("proc-a", "proc-b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    titles = [t["title"] for t in TaskStore(path).snapshot()]
    assert len(titles) == 160 and len(set(titles)) == 160


def test_threads_share_one_store(tmp_path):
    store = TaskStore(tmp_path / "t.sqlite")
    threads = [threading.Thread(target=lambda k=k: [execute([add(f"t{k}-{i}")], store, TODAY) for i in range(25)])
               for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count() == 100


def test_agent_loop_with_history_and_bad_output():
    replies = iter([
        format_action([add("Buy milk", "2026-11-26")], "Add milk."),
        "I think you should buy milk",  # no tags: shown as invalid, store untouched
        format_final("Done!"),
    ])
    seen = []

    def generate(prompt):
        assert prompt.today == dt.date(2026, 11, 25)
        seen.append(prompt.messages)
        return next(replies)

    agent = Agent(generate, TaskStore(), today=dt.date(2026, 11, 25))
    t1 = agent.send("add buy milk tomorrow")
    assert t1.parsed.kind == "action" and t1.results[0]["status"] == "success"
    t2 = agent.send("and eggs")
    assert t2.parsed.kind == "invalid" and t2.results == [] and agent.store.count() == 1
    t3 = agent.send("thanks")
    assert t3.parsed.final == "Done!"
    # history is re-sent: system, then user/assistant/tool of turn 1, ...
    roles = [m["role"] for m in seen[2]]
    assert roles == ["system", "user", "assistant", "tool", "user", "assistant", "user"]
    assert "2026-11-25" in seen[0][0]["content"]


def test_quote_styles_are_one_title():
    """A phone types “Dune” and Emma’s, a keyboard 'Dune' and Emma's: the same tasks."""
    store = TaskStore()
    execute([add("Read “Dune”"), add("Reply to Emma’s text")], store, TODAY)
    assert execute([add("read 'Dune'")], store, TODAY)[0]["code"] == "duplicate"
    r = execute([{"name": "complete_task", "args": {"title": 'Read "Dune"'}},
                 {"name": "delete_task", "args": {"title": "Reply to Emma's text"}}], store, TODAY)
    assert [x["status"] for x in r] == ["success", "success"]
    assert store.snapshot()[0] == {"title": "Read “Dune”", "due_date": None, "status": "done"}  # stored as typed
