"""HTTP API on the same agent loop: `python -m lib.server --adapter outputs/adapters/<run>`.

  GET    /health   model name, adapter, backend, ready
  POST   /chat     {message, session_id?, today?} -> {session_id, analysis, calls, results, final, raw, errors}
  GET    /tasks    every task in the store
  DELETE /tasks    remove every task

The model loads in a background thread at start-up: /health answers at once and /chat returns
503 until it is ready. One model generates at a time (a lock); the SQLite store takes concurrent
writers; each session keeps its own history.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import threading
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Callable, Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field, field_validator

from lib.agent import Agent, Generate
from lib.generation import MAX_NEW_TOKENS, make_generate_fn
from lib.prompts import ChatPrompt
from lib.store import TaskStore

MAX_MESSAGE_CHARS = 2000
MAX_SESSIONS = 1000


class ChatRequest(BaseModel):
    message: str = Field(..., description="the user's message", max_length=MAX_MESSAGE_CHARS)
    session_id: Optional[str] = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    today: Optional[dt.date] = Field(None, description="ISO date the agent takes as today (default: the server's date)")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("message is empty")
        return v.strip()


class ChatResponse(BaseModel):
    session_id: str
    today: dt.date
    analysis: Optional[str]
    calls: list[dict[str, Any]]
    results: list[dict[str, Any]]
    final: Optional[str]
    raw: str
    errors: list[str]


class ServerState:
    def __init__(self, store: TaskStore) -> None:
        self.store = store
        self.generate: Optional[Generate] = None
        self.info: dict[str, Any] = {}
        self.error: Optional[str] = None
        self.sessions: collections.OrderedDict[str, tuple[Agent, threading.Lock]] = collections.OrderedDict()
        self.sessions_lock = threading.Lock()
        self.generate_lock = threading.Lock()

    def session(self, session_id: str) -> tuple[Agent, threading.Lock]:
        with self.sessions_lock:
            if session_id not in self.sessions:
                self.sessions[session_id] = (Agent(self._locked_generate, self.store), threading.Lock())
                while len(self.sessions) > MAX_SESSIONS:  # forget the least recently used
                    self.sessions.popitem(last=False)
            self.sessions.move_to_end(session_id)
            return self.sessions[session_id]

    def _locked_generate(self, prompt: ChatPrompt) -> str:
        with self.generate_lock:  # one forward pass at a time on one model
            return self.generate(prompt)


def create_app(
    store_path: str | Path = "outputs/server/tasks.db",
    generate: Optional[Generate] = None,
    loader: Optional[Callable[[], tuple[Generate, dict[str, Any]]]] = None,
    info: Optional[dict[str, Any]] = None,
) -> FastAPI:
    """An app with either a ready `generate(prompt) -> str` (tests, other backends) or a
    `loader()` returning (generate, info) that runs in a background thread at start-up."""
    if str(store_path) != ":memory:":
        Path(store_path).parent.mkdir(parents=True, exist_ok=True)
    state = ServerState(TaskStore(store_path))
    if generate is not None:
        state.generate, state.info = generate, dict(info or {"model_name": "custom generate function"})

    def load() -> None:
        try:
            state.generate, state.info = loader()
        except Exception as exc:  # reported by /health and /chat instead of killing the server
            state.error = f"{type(exc).__name__}: {exc}"

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if state.generate is None and loader is not None:
            threading.Thread(target=load, daemon=True, name="model-loader").start()
        yield

    app = FastAPI(title="TaskAgent", version="1.0", lifespan=lifespan)
    app.state.agent_state = state

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ready": state.generate is not None, "error": state.error,
                "model_name": state.info.get("model_name"), "adapter": state.info.get("adapter"),
                "backend": state.info.get("backend"), "store": str(store_path), "sessions": len(state.sessions)}

    @app.post("/chat", response_model=ChatResponse)
    def chat(req: ChatRequest) -> ChatResponse:
        if state.error:
            raise HTTPException(status_code=503, detail=f"model failed to load: {state.error}")
        if state.generate is None:
            raise HTTPException(status_code=503, detail="model is loading, retry in a moment")
        session_id = req.session_id or uuid.uuid4().hex
        agent, lock = state.session(session_id)
        with lock:  # one turn at a time per conversation, so its history stays in order
            turn = agent.send(req.message, today=req.today or dt.date.today())
        p = turn.parsed
        return ChatResponse(session_id=session_id, today=turn.today, analysis=p.analysis,
                            calls=[c.model_dump() for c in p.calls], results=turn.results, final=p.final,
                            raw=turn.raw, errors=turn.errors)

    @app.get("/tasks")
    def tasks() -> dict[str, Any]:
        items = [t.model_dump() for t in state.store.list("all")]
        return {"count": len(items), "tasks": items}

    @app.delete("/tasks")
    def clear_tasks() -> dict[str, Any]:
        n = state.store.count()
        state.store.clear()
        return {"deleted": n}

    return app


def model_loader(model_name: Optional[str], adapter_dir: Optional[str], max_seq_length: int = 2048,
                 max_new_tokens: int = MAX_NEW_TOKENS) -> Callable[[], tuple[Generate, dict[str, Any]]]:
    def load() -> tuple[Generate, dict[str, Any]]:
        from lib.model import load_model  # torch is imported in the loader thread, not at start-up

        model, tokenizer = load_model(model_name, max_seq_length, adapter_dir=adapter_dir)
        return make_generate_fn(model, tokenizer, max_new_tokens), dict(model.taskagent_info)

    return load


def main(argv: Optional[list[str]] = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lib.server", description="TaskAgent HTTP API")
    p.add_argument("--model", default=None, help="HF name/folder, or smollm2/tiny (default: GPU model with CUDA, smollm2 without)")
    p.add_argument("--adapter", default=None, help="LoRA adapter folder (default: none, the base model)")
    p.add_argument("--store", default="outputs/server/tasks.db")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS)
    a = p.parse_args(argv)
    import uvicorn

    app = create_app(a.store, loader=model_loader(a.model, a.adapter, max_new_tokens=a.max_new_tokens))
    uvicorn.run(app, host=a.host, port=a.port)


if __name__ == "__main__":
    main()
