"""The OpenAI-compatible backend against a stub engine on 127.0.0.1 (tests/openai_stub.py): the
agent, the server, the widget and the evaluation end to end, and every failure mode of an engine
(timeout, HTTP 500, garbage, no text) as a clear error that writes nothing."""

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from lib.agent import Agent, ModelError
from lib.prompts import build_prompt
from lib.remote import OpenAICompatible, close_cut_tag
from lib.store import TaskStore
from openai_stub import StubEngine

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def engine():
    with StubEngine(idle_s=120, slow_s=2.0) as stub:
        yield stub


def test_requests_carry_the_prompt_the_date_greedy_decoding_and_stops(engine):
    backend = OpenAICompatible(engine.base_url, "taskagent", grammar="vllm")
    text = backend(build_prompt(TODAY, user="add Buy milk due tomorrow"))
    assert text.endswith("</action>")  # the stop string the engine dropped is put back
    body = engine.requests[-1]
    assert body["model"] == "taskagent" and body["temperature"] == 0 and body["stop"] == ["</action>", "</final>"]
    assert body["messages"][0]["role"] == "system" and "2026-11-26" in body["messages"][0]["content"]
    assert body["chat_template_kwargs"] == {"date_string": "26 Nov 2026"}
    assert body["structured_outputs"]["regex"].startswith("(<analysis>")
    llama_cpp = OpenAICompatible(engine.base_url.removesuffix("/v1"), "m", grammar="llama.cpp",
                                 send_template_kwargs=False)
    llama_cpp(build_prompt(TODAY, user="hi"))
    assert engine.requests[-1]["grammar"].startswith("root ::=") and "chat_template_kwargs" not in engine.requests[-1]


def test_the_agent_runs_on_the_engine(engine):
    store = TaskStore()
    agent = Agent(OpenAICompatible(engine.base_url, "taskagent"), store, today=TODAY)
    turn = agent.send("add Buy milk due next Friday")
    assert turn.results[0]["status"] == "success" and store.snapshot()[0]["due_date"] == "2026-12-04"
    assert agent.send("done buy milk").results[0]["status"] == "success"
    assert store.list("done")[0].title == "Buy milk"


@pytest.mark.parametrize("mode,expected", [("!500", "HTTP 500"), ("!garbage", "not a chat completion"),
                                           ("!nochoices", "not a chat completion"), ("!nulltext", "no text"),
                                           ("!slow", "did not answer in time")])
def test_engine_failures_are_clear_errors_that_change_nothing(engine, mode, expected):
    store = TaskStore()
    agent = Agent(OpenAICompatible(engine.base_url, "taskagent", timeout_s=0.5), store, today=TODAY)
    with pytest.raises(ModelError, match=expected):
        agent.send(mode)
    assert agent.history == [] and store.count() == 0


def test_an_unreachable_engine_is_retried_then_reported():
    backend = OpenAICompatible("http://127.0.0.1:9/v1", "m", retries=1, timeout_s=1)
    with pytest.raises(ModelError, match="cannot reach"):
        backend(build_prompt(TODAY, user="hi"))
    with pytest.raises(ValueError, match="http"):
        OpenAICompatible("localhost:8000", "m")


def test_closing_tags_cut_by_a_stop_are_restored_once():
    assert close_cut_tag("<analysis>\nx\n</analysis>\n\n<action>\nf()") == "<analysis>\nx\n</analysis>\n\n<action>\nf()\n</action>"
    assert close_cut_tag("<final>Hi") == "<final>Hi</final>"
    assert close_cut_tag("<final>Hi</final>") == "<final>Hi</final>" and close_cut_tag("no tags") == "no tags"


def test_the_server_in_front_of_the_engine(engine, tmp_path):
    from lib.server import create_app, remote_loader

    app = create_app(tmp_path / "t.db", loader=remote_loader(engine.base_url, "taskagent"))
    with TestClient(app, base_url="http://localhost") as c:
        for _ in range(100):
            if c.get("/health").json()["ready"]:
                break
        assert c.get("/health").json()["backend"].startswith("openai-compatible")
        r = c.post("/chat", json={"message": "add Call the bank due Friday", "today": "2026-11-26"}).json()
        assert r["results"][0]["status"] == "success" and r["results"][0]["due_date"] == "2026-11-27"
        assert c.post("/chat", json={"message": "!500"}).status_code == 502
        assert c.get("/tasks").json()["count"] == 1


def test_the_widget_on_the_engine(engine):
    from lib.chat_widget import chat_app_for_server

    app = chat_app_for_server(engine.base_url, "taskagent", TaskStore(), today=TODAY)
    app.send("add Water the plants")
    app.send("!500")
    assert "Water the plants" in app.tasks.value and "HTTP 500" in app.transcript_html()


def test_evaluation_on_the_engine_is_scored_like_in_process(engine, tmp_path):
    from lib.evaluate import main

    rows = [{"id": "a", "today": "2026-11-26", "user": "add Buy milk due tomorrow", "category": "add_dated",
             "gold": [{"name": "add_task", "args": {"title": "Buy milk", "due_date": "2026-11-27"}}]},
            {"id": "b", "today": "2026-11-26", "user": "hello", "category": "conversation", "gold": []},
            {"id": "c", "today": "2026-11-26", "user": "!500", "category": "conversation", "gold": []}]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = main(["--backend", "openai", "--base-url", engine.base_url, "--served-model", "taskagent",
                   "--data", str(data), "--out", str(tmp_path / "report"), "--concurrency", "3"])
    served = report["systems"]["served"]["overall"]
    assert served["date_accuracy"]["k"] == 1 and served["execution"]["k"] == 2 and served["execution"]["n"] == 3
    assert (tmp_path / "report" / "report.md").exists()
