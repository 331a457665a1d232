import datetime as dt
import multiprocessing as mp
import threading

import pytest

from lib.agent import Agent
from lib.executor import NOT_RUN, execute
from lib.parser import format_action, format_final
from lib.store import TaskStore

TODAY = dt.date(2026, 11, 25)


def add(title, due=None):
    args = {"title": title} if due is None else {"title": title, "due_date": due}
    return {"name": "add_task", "args": args}


def test_add_list_summarize():
    store = TaskStore()
    r = execute([add("Buy groceries", "2026-11-25"), add("Pay rent", "2026-11-20"), add("Read")], store, TODAY)
    assert r[0] == {"status": "success", "message": "Task added: 'Buy groceries' (due 2026-11-25)", "task_count": 1}
    execute([{"name": "complete_task", "args": {"title": "read"}}], store, TODAY)
    listed = execute([{"name": "list_tasks", "args": {"status": "done"}}], store, TODAY)[0]
    assert [t["title"] for t in listed["tasks"]] == ["Read"]
    summary = execute([{"name": "summarize_tasks", "args": {}}], store, TODAY)[0]["summary"]
    assert summary == {"total": 3, "open": 2, "done": 1, "due_today": 1, "overdue": 1}


@pytest.mark.parametrize("bad", [
    add("   "), add("x" * 201), add("A", "2026-02-30"), add("A", "26-01-2026"), add("A", "20260125"),
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
    assert results[0]["code"] == NOT_RUN and results[1]["code"] in ("invalid_arguments", "unknown_tool")


def test_runtime_failure_rolls_back_whole_block():
    store = TaskStore()
    execute([add("Walk dog")], store, TODAY)
    results = execute([add("Feed cat"), {"name": "delete_task", "args": {"title": "walk the dog"}}], store, TODAY)
    assert [r.get("code") for r in results] == [NOT_RUN, "not_found"]
    assert "'Walk dog'" in results[1]["message"]  # closest title named
    assert store.snapshot() == [{"title": "Walk dog", "due_date": None, "status": "open"}]


def test_matching_is_case_and_whitespace_insensitive_and_never_touches_wrong_task():
    store = TaskStore()
    execute([add("Call  Mom"), add("Call mom later"), add("Email Bob")], store, TODAY)
    r = execute([{"name": "complete_task", "args": {"title": "  call MOM "}}], store, TODAY)[0]
    assert r["status"] == "success"
    assert [t["status"] for t in store.snapshot()] == ["done", "open", "open"]
    again = execute([{"name": "complete_task", "args": {"title": "call mom"}}], store, TODAY)[0]
    assert again["code"] == "already_done"


def test_ambiguous_title_is_an_error():
    store = TaskStore()
    execute([add("Pay bill"), add("pay  BILL")], store, TODAY)
    r = execute([{"name": "delete_task", "args": {"title": "Pay bill"}}], store, TODAY)[0]
    assert r["code"] == "ambiguous" and store.count() == 2


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
