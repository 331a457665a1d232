"""The HTTP API: validation, loading state, sessions, and 20 concurrent writers on one store.

The concurrency test plugs a deterministic generate function into the agent, so the server and
the store are under test there, not a model. The end-to-end test loads the tiny offline model."""

import concurrent.futures as cf
import threading
import time

import pytest
from fastapi.testclient import TestClient

from lib.parser import format_action, format_final
from lib.server import ServerConfig, create_app, model_loader

LOCAL = "http://localhost"  # the server serves local Host headers only


def rule_based_generate(prompt):
    """'add X' -> add_task(title="X"); 'done X' -> complete_task; anything else -> a final."""
    messages = prompt.messages
    text = messages[-1]["content"]
    if text.startswith("add "):
        time.sleep(0.01)  # let requests interleave
        return format_action([{"name": "add_task", "args": {"title": text[4:]}}], "User wants a task added.")
    if text.startswith("done "):
        return format_action([{"name": "complete_task", "args": {"title": text[5:]}}])
    if text == "history?":  # proves the session history is re-sent
        return format_final(f"{sum(m['role'] == 'user' for m in messages)} user messages")
    if text.startswith("delete "):
        return format_action([{"name": "delete_task", "args": {"title": text[7:]}}])
    return format_final("Hello!")


@pytest.fixture()
def client(tmp_path):
    app = create_app(tmp_path / "tasks.db", generate=rule_based_generate, info={"model_name": "rules", "backend": "none"},
                     config=ServerConfig(max_queue=64))
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def test_health_and_a_turn(client):
    h = client.get("/health").json()
    assert h["ready"] and h["model_name"] == "rules"
    r = client.post("/chat", json={"message": "add Buy milk", "today": "2026-03-10"})
    assert r.status_code == 200
    body = r.json()
    assert body["calls"] == [{"name": "add_task", "args": {"title": "Buy milk"}}]
    assert body["results"][0]["status"] == "success" and body["errors"] == [] and body["today"] == "2026-03-10"
    assert [t["title"] for t in client.get("/tasks").json()["tasks"]] == ["Buy milk"]
    assert client.delete("/tasks").json() == {"deleted": 1}  # counted by the transaction that removed it
    assert client.get("/tasks").json()["count"] == 0


@pytest.mark.parametrize("payload", [
    {"message": ""}, {"message": "   "}, {"message": "x" * 2001}, {"message": "hi", "today": "2026-02-30"},
    {"message": "hi", "today": "tomorrow"}, {"message": "hi", "session_id": "bad id!"}, {},
    {"message": "hi", "today": "9999-12-31"}, {"message": "hi", "today": "0001-01-01"},
])
def test_bad_requests_are_422_with_a_message(client, payload):
    r = client.post("/chat", json=payload)
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"]


def test_sessions_keep_their_own_history(client):
    client.post("/chat", json={"message": "hello", "session_id": "a"})
    client.post("/chat", json={"message": "hello again", "session_id": "a"})
    assert client.post("/chat", json={"message": "history?", "session_id": "a"}).json()["final"] == "3 user messages"
    assert client.post("/chat", json={"message": "history?", "session_id": "b"}).json()["final"] == "1 user messages"


def test_errors_are_reported_not_raised(client):
    r = client.post("/chat", json={"message": "done Nothing like this"}).json()
    assert r["results"][0]["status"] == "error" and r["errors"] == ["not_found"]


def test_503_while_the_model_loads(tmp_path):
    release = threading.Event()

    def slow_loader():
        release.wait(10)
        return rule_based_generate, {"model_name": "rules"}

    with TestClient(create_app(tmp_path / "t.db", loader=slow_loader), base_url=LOCAL) as c:
        assert c.get("/health").json()["ready"] is False and c.get("/health").json()["status"] == "loading"
        r = c.post("/chat", json={"message": "hi"})
        assert r.status_code == 503 and "loading" in r.json()["detail"] and r.headers["retry-after"]
        release.set()
        for _ in range(100):
            if c.get("/health").json()["ready"]:
                break
            time.sleep(0.05)
        assert c.post("/chat", json={"message": "hi"}).status_code == 200


def test_503_when_loading_failed(tmp_path):
    def broken():
        raise FileNotFoundError("no such model")

    with TestClient(create_app(tmp_path / "t.db", loader=broken), base_url=LOCAL) as c:
        for _ in range(100):
            if c.get("/health").json()["error"]:
                break
            time.sleep(0.05)
        r = c.post("/chat", json={"message": "hi"})
        assert r.status_code == 503 and "no such model" in r.json()["detail"]


def test_twenty_concurrent_chats_each_add_one_task(client):
    titles = [f"Task number {i}" for i in range(20)]
    with cf.ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda t: client.post("/chat", json={"message": f"add {t}"}), titles))
    assert all(r.status_code == 200 for r in responses)
    assert all(r.json()["results"][0]["status"] == "success" for r in responses)
    stored = [t["title"] for t in client.get("/tasks").json()["tasks"]]
    assert sorted(stored) == sorted(titles)  # all present, none duplicated, none lost
    assert len({r.json()["session_id"] for r in responses}) == 20


def test_end_to_end_with_the_tiny_offline_model(tmp_path):
    """A real model behind the API: whatever it says, the response is well-formed, and
    unparseable output leaves the store untouched."""
    with TestClient(create_app(tmp_path / "t.db", loader=model_loader("tiny", None, max_seq_length=1024, max_new_tokens=24)),
                    base_url=LOCAL) as c:
        for _ in range(600):
            h = c.get("/health").json()
            if h["ready"] or h["error"]:
                break
            time.sleep(0.1)
        assert h["ready"], h
        assert h["backend"] == "cpu" and h["adapter"] is None
        body = c.post("/chat", json={"message": "add buy milk tomorrow", "today": "2026-03-10"}).json()
        assert set(body) >= {"analysis", "calls", "results", "final", "raw", "errors"}
        assert isinstance(body["raw"], str) and body["raw"]
        added = sum(r["status"] == "success" and r["message"].startswith("Task added") for r in body["results"])
        assert c.get("/tasks").json()["count"] == added  # nothing is written unless a call succeeded


# -- hardening: a slow model, bad requests, hostile output --------------------------------------------
def _app(tmp_path, generate, **config):
    return create_app(tmp_path / "t.db", generate=generate, info={"model_name": "test"}, config=ServerConfig(**config))


def test_a_hung_model_never_stalls_health_tasks_or_other_chats(tmp_path):
    release = threading.Event()

    def hung(prompt):
        release.wait(30)
        return format_final("late")

    with TestClient(_app(tmp_path, hung, max_queue=2, chat_timeout_s=1.0, retry_after_s=7), base_url=LOCAL) as c:
        with cf.ThreadPoolExecutor(max_workers=8) as pool:
            started = time.monotonic()
            chats = [pool.submit(c.post, "/chat", json={"message": f"hi {i}"}) for i in range(6)]
            time.sleep(0.3)
            t0 = time.monotonic()
            health = c.get("/health").json()
            assert time.monotonic() - t0 < 0.5 and health["queue"]["generating_for_s"] is not None
            assert c.get("/tasks").status_code == 200
            answers = [f.result(timeout=10) for f in chats]
            assert time.monotonic() - started < 5  # every chat answered within its timeout
        assert {r.status_code for r in answers} == {503}
        assert all(r.headers["retry-after"] == "7" for r in answers)
        details = " ".join(r.json()["detail"] for r in answers)
        assert "already waiting" in details and "did not answer within 1 s" in details
        release.set()
        assert c.get("/tasks").json()["count"] == 0  # nothing a timed-out chat asked for was written


def test_a_late_answer_after_a_timeout_changes_nothing(tmp_path):
    def slow(prompt):
        time.sleep(1.0)
        return format_action([{"name": "add_task", "args": {"title": "Too late"}}])

    with TestClient(_app(tmp_path, slow, chat_timeout_s=0.3), base_url=LOCAL) as c:
        assert c.post("/chat", json={"message": "add Too late", "session_id": "s"}).status_code == 503
        time.sleep(1.2)
        assert c.get("/tasks").json()["count"] == 0
        assert c.post("/chat", json={"message": "history?", "session_id": "s"}).status_code == 503  # still slow


@pytest.mark.parametrize("broken", [lambda p: None, lambda p: 42, lambda p: 1 / 0])
def test_a_failing_model_is_a_502_and_leaves_the_history_clean(tmp_path, broken):
    calls = []

    def generate(prompt):
        calls.append(prompt)
        return broken(prompt) if len(calls) == 1 else format_final(f"{len(prompt.messages)} messages")

    with TestClient(_app(tmp_path, generate), base_url=LOCAL) as c:
        r = c.post("/chat", json={"message": "hi", "session_id": "s"})
        assert r.status_code == 502 and "model" in r.json()["detail"]
        assert c.post("/chat", json={"message": "again", "session_id": "s"}).json()["final"] == "2 messages"


def test_a_lone_surrogate_in_a_request_is_a_422(client):
    r = client.post("/chat", content=b'{"message": "add a\\ud800b"}', headers={"content-type": "application/json"})
    assert r.status_code == 422 and "unicode" in r.text.lower() and client.get("/tasks").json()["count"] == 0


def test_lone_surrogates_from_a_model_never_break_a_response(tmp_path):
    with TestClient(_app(tmp_path, lambda p: "<final>bad \ud800 text</final>"), base_url=LOCAL) as c:
        r = c.post("/chat", json={"message": "hi"})
        assert r.status_code == 200 and "bad" in r.json()["final"]


def test_only_local_hosts_are_served_and_a_token_guards_the_rest(tmp_path):
    app = _app(tmp_path, rule_based_generate, api_token="s3cret")
    with TestClient(app, base_url="http://evil.example") as c:
        assert c.get("/health").status_code == 400  # DNS rebinding: a foreign Host header
    with TestClient(app, base_url=LOCAL) as c:
        assert c.get("/health").status_code == 200
        assert c.get("/tasks").status_code == 401 and c.post("/chat", json={"message": "hi"}).status_code == 401
        auth = {"Authorization": "Bearer s3cret"}
        assert c.get("/tasks", headers=auth).status_code == 200
        assert c.post("/chat", json={"message": "hi"}, headers=auth).status_code == 200


def test_no_json_without_a_json_content_type(client):
    """A cross-site form post (text/plain) is never parsed as a chat."""
    r = client.post("/chat", content='{"message": "add Pwned"}', headers={"content-type": "text/plain"})
    assert r.status_code == 422 and client.get("/tasks").json()["count"] == 0


def test_big_bodies_are_refused_and_errors_never_echo_input(client):
    assert client.post("/chat", json={"message": "x" * 200_000}).status_code == 413
    r = client.post("/chat", json={"message": "y" * 5000})
    assert r.status_code == 422 and len(r.content) < 1000 and "yyyy" not in r.text


def test_trash_restore_and_undo_through_the_api(client):
    client.post("/chat", json={"message": "add Water plants", "session_id": "u"})
    client.post("/chat", json={"message": "delete water plants", "session_id": "u"})
    assert client.get("/tasks").json()["count"] == 0 and client.get("/trash").json()["tasks"][0]["title"] == "Water plants"
    assert client.post("/undo", json={"session_id": "u"}).json()["undone"].startswith("Undone")
    assert client.get("/tasks").json()["count"] == 1 and client.get("/trash").json()["count"] == 0
    client.post("/chat", json={"message": "delete Water plants", "session_id": "u"})
    assert client.post("/tasks/restore", json={"title": "water plants"}).json()["status"] == "success"
    assert client.post("/tasks/restore", json={"title": "water plants"}).status_code == 404
    assert client.post("/undo", json={"session_id": "nobody"}).status_code == 404


def test_a_long_conversation_keeps_a_bounded_history(client):
    app_state = client.app.state.agent_state
    for i in range(300):
        client.post("/chat", json={"message": f"hello {i}", "session_id": "long"})
    agent, _ = app_state.session("long")
    assert len(agent.history) <= agent.max_history_messages


# -- checked second try (lib.retry) ------------------------------------------------------------------
def test_an_answer_that_cannot_be_carried_out_is_replaced_by_a_checked_alternative(tmp_path):
    """'delete X' answered with restore_task (X is not in the trash) fails; the alternatives come
    through the queue and the first that works is carried out, and the response says so."""
    wrong = format_action([{"name": "restore_task", "args": {"title": "Buy milk"}}])
    right = format_action([{"name": "delete_task", "args": {"title": "Buy milk"}}])
    asked = []

    def generate(prompt):
        text = prompt.messages[-1]["content"]
        return rule_based_generate(prompt) if text.startswith("add ") else wrong

    def alternatives(prompt):
        asked.append(prompt.messages[-1]["content"])
        return [wrong, right]

    app = create_app(tmp_path / "t.db", generate=generate, info={"model_name": "test"}, alternatives=alternatives)
    with TestClient(app, base_url=LOCAL) as c:
        assert c.post("/chat", json={"message": "add Buy milk"}).json()["retried_from"] is None
        body = c.post("/chat", json={"message": "bin the milk one"}).json()
        assert body["retried_from"] == wrong and body["raw"] == right and body["errors"] == []
        assert c.get("/tasks").json()["count"] == 0 and c.get("/trash").json()["count"] == 1
    assert asked == ["bin the milk one"]  # the answer that worked was never retried


def test_a_slow_second_try_leaves_the_first_answer_standing(tmp_path):
    wrong = format_action([{"name": "restore_task", "args": {"title": "Nothing"}}])

    def slow_alternatives(prompt):
        time.sleep(1.0)
        return [format_action([{"name": "add_task", "args": {"title": "Too late"}}])]

    app = create_app(tmp_path / "t.db", generate=lambda p: wrong, info={"model_name": "test"},
                     config=ServerConfig(chat_timeout_s=0.4), alternatives=slow_alternatives)
    with TestClient(app, base_url=LOCAL) as c:
        body = c.post("/chat", json={"message": "restore nothing"}).json()
        assert body["raw"] == wrong and body["retried_from"] is None and body["errors"] == ["not_found"]
        time.sleep(1.0)
        assert c.get("/tasks").json()["count"] == 0


def test_a_date_the_answer_dropped_or_garbled_is_read_from_the_message(tmp_path):
    """The server carries answers out through the agent: the message's date goes into the answer's
    one add (lib.date_mentions), the response shows the call as carried out, and an answer whose
    only fault was an unreadable date is mended so, not sent for a second try."""
    dropped = format_action([{"name": "add_task", "args": {"title": "Renew the domain name"}}])
    garbled = format_action([{"name": "add_task", "args": {"title": "Clean the garage", "due_date": "after tomorrow"}}])
    answers = iter([dropped, garbled])
    asked = []
    app = create_app(tmp_path / "t.db", generate=lambda prompt: next(answers), info={"model_name": "test"},
                     alternatives=lambda prompt: asked.append(prompt) or [])
    with TestClient(app, base_url=LOCAL) as c:
        body = c.post("/chat", json={"message": "pls remember I gotta renew the domain name for tomorrow",
                                     "today": "2026-11-25"}).json()
        assert body["calls"] == [{"name": "add_task", "args": {"title": "Renew the domain name", "due_date": "tomorrow"}}]
        assert body["raw"] == dropped and "read from your message ('for tomorrow')" in body["results"][0]["message"]
        body = c.post("/chat", json={"message": "clean the garage the day after tomorrow", "today": "2026-11-25"}).json()
        assert body["results"][0]["due_date"] == "2026-11-27" and body["retried_from"] is None
        assert "not 'after tomorrow'" in body["results"][0]["message"]
        assert {t["title"]: t["due_date"] for t in c.get("/tasks").json()["tasks"]} == {
            "Renew the domain name": "2026-11-26", "Clean the garage": "2026-11-27"}
    assert asked == []  # both answers could be carried out once the date was read
