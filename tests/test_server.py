"""The HTTP API: validation, loading state, sessions, and 20 concurrent writers on one store.

The concurrency test plugs a deterministic generate function into the agent, so the server and
the store are under test there, not a model. The end-to-end test loads the tiny offline model."""

import concurrent.futures as cf
import threading
import time

import pytest
from fastapi.testclient import TestClient

from lib.parser import format_action, format_final
from lib.server import create_app, model_loader


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
    return format_final("Hello!")


@pytest.fixture()
def client(tmp_path):
    app = create_app(tmp_path / "tasks.db", generate=rule_based_generate, info={"model_name": "rules", "backend": "none"})
    with TestClient(app) as c:
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
    assert client.delete("/tasks").json() == {"deleted": 1}
    assert client.get("/tasks").json()["count"] == 0


@pytest.mark.parametrize("payload", [
    {"message": ""}, {"message": "   "}, {"message": "x" * 2001}, {"message": "hi", "today": "2026-02-30"},
    {"message": "hi", "today": "tomorrow"}, {"message": "hi", "session_id": "bad id!"}, {},
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

    with TestClient(create_app(tmp_path / "t.db", loader=slow_loader)) as c:
        assert c.get("/health").json()["ready"] is False
        r = c.post("/chat", json={"message": "hi"})
        assert r.status_code == 503 and "loading" in r.json()["detail"]
        release.set()
        for _ in range(100):
            if c.get("/health").json()["ready"]:
                break
            time.sleep(0.05)
        assert c.post("/chat", json={"message": "hi"}).status_code == 200


def test_503_when_loading_failed(tmp_path):
    def broken():
        raise FileNotFoundError("no such model")

    with TestClient(create_app(tmp_path / "t.db", loader=broken)) as c:
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
    with TestClient(create_app(tmp_path / "t.db", loader=model_loader("tiny", None, max_seq_length=1024, max_new_tokens=24))) as c:
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
