"""HTTP API on the same agent loop: `python -m lib.server --adapter outputs/adapters/<run>`, or in
front of an OpenAI-compatible engine: `python -m lib.server --backend openai --base-url URL --served-model NAME`.

  GET    /health          ready/loading/failed, the model, the generation queue
  POST   /chat            {message, session_id?, today?} -> {session_id, analysis, calls, results, final, raw, errors}
  POST   /undo            {session_id} -> puts back what the session's last action block changed
  GET    /tasks           every task in the store (not the trash)
  GET    /trash           deleted tasks, newest first
  POST   /tasks/restore   {title} -> brings a task back from the trash
  DELETE /tasks           removes every task, the trash included (the user's own decision, not the model's)

An answer that cannot be carried out gets the agent's checked second try (lib.retry) when the model
runs in this process: its alternatives are generated through the same queue, within the same
deadline, and a retry that does not finish in time leaves the first answer standing.

A slow or hung model never stalls the server. One worker thread generates, one prompt at a time,
from a bounded queue: a chat that finds the queue full, or waits longer than `chat_timeout_s`, gets
503 with Retry-After and changes nothing (its generation is dropped, or its late answer ignored).
/chat waits without holding a thread, so /health, /tasks and /trash always answer. The model loads
in a background thread: /chat answers 503 until it is ready (or says why loading failed).

Safe by default for a local API: only requests whose Host is local are served (a web page cannot
reach it through DNS rebinding), bodies are parsed as JSON only with a JSON content type (FastAPI's
strict content type: no cross-site form posts), bodies are capped, validation errors never echo
the input, and an optional bearer token guards every route but /health for use beyond this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import datetime as dt
import json
import os
import queue
import threading
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Callable, Optional

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware

from lib.agent import Agent, Generate, ModelError
from lib.executor import execute
from lib.generation import MAX_NEW_TOKENS
from lib.prompts import TRAINED_PROMPT_STYLE, ChatPrompt
from lib.retry import Alternatives
from lib.store import TaskStore

MAX_MESSAGE_CHARS = 2000
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2999, 12, 31)  # what "today" may be
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


class ServerConfig(BaseModel):
    model_config = ConfigDict(frozen=True)
    max_queue: int = Field(16, ge=1, description="chats that may wait for the model; more get 503")
    chat_timeout_s: float = Field(120.0, gt=0, description="longest a chat waits for its answer, queue included")
    retry_after_s: int = Field(10, ge=1, description="what a 503 tells the client to wait")
    max_body_bytes: int = Field(64_000, ge=1024)
    max_sessions: int = Field(1000, ge=1, description="conversations remembered; the least recent is forgotten")
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    api_token: Optional[str] = Field(None, description="if set, every route but /health needs 'Authorization: Bearer <token>'")


def _no_surrogates(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains characters that are not valid Unicode text") from None
    return value


class ChatRequest(BaseModel):
    message: str = Field(..., description="the user's message", max_length=MAX_MESSAGE_CHARS)
    session_id: Optional[str] = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    today: Optional[dt.date] = Field(None, description="ISO date the agent takes as today (default: the server's date)")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not _no_surrogates(v).strip():
            raise ValueError("message is empty")
        return v.strip()

    @field_validator("today")
    @classmethod
    def _plausible(cls, v: Optional[dt.date]) -> Optional[dt.date]:
        if v is not None and not FIRST_DAY <= v <= LAST_DAY:
            raise ValueError(f"today must be between {FIRST_DAY} and {LAST_DAY}")
        return v


class SessionRequest(BaseModel):
    session_id: str = Field(..., pattern=r"^[A-Za-z0-9_.-]{1,64}$")


class RestoreRequest(BaseModel):
    title: str = Field(..., min_length=1, max_length=200)
    _check = field_validator("title")(classmethod(lambda cls, v: _no_surrogates(v)))


class ChatResponse(BaseModel):
    session_id: str
    today: dt.date
    analysis: Optional[str]
    calls: list[dict[str, Any]]
    results: list[dict[str, Any]]
    final: Optional[str]
    raw: str
    errors: list[str]
    retried_from: Optional[str] = Field(None, description="the model's first answer, when a checked retry replaced it")


class SafeJSONResponse(JSONResponse):
    """JSON that never fails to encode: a lone surrogate from a model becomes U+FFFD."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", errors="replace")


class QueueFull(Exception):
    pass


class GenerationQueue:
    """One daemon worker runs the queued generations one at a time (one model, one forward pass)."""

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self._jobs: queue.Queue = queue.Queue(maxsize=max_waiting)
        self._started: Optional[float] = None
        threading.Thread(target=self._work, daemon=True, name="generation-worker").start()

    def submit(self, fn: Callable[[], Any]) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            self._jobs.put_nowait((fn, future))
        except queue.Full:
            raise QueueFull from None
        return future

    def _work(self) -> None:
        while True:
            fn, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():  # its chat gave up waiting
                continue
            self._started = time.monotonic()
            try:
                future.set_result(fn())
            except BaseException as exc:  # the chat reports it; the worker lives on
                future.set_exception(exc)
            finally:
                self._started = None

    def status(self) -> dict[str, Any]:
        busy = time.monotonic() - self._started if self._started is not None else None
        return {"waiting": self._jobs.qsize(), "max_waiting": self.max_waiting,
                "generating_for_s": round(busy, 1) if busy is not None else None}


class ServerState:
    def __init__(self, store: TaskStore, config: ServerConfig) -> None:
        self.store = store
        self.config = config
        self.generate: Optional[Generate] = None
        self.alternatives: Optional[Alternatives] = None  # beam-search alternatives (local models only)
        self.info: dict[str, Any] = {}
        self.error: Optional[str] = None
        self.queue = GenerationQueue(config.max_queue)
        self.sessions: collections.OrderedDict[str, tuple[Agent, asyncio.Lock]] = collections.OrderedDict()

    def session(self, session_id: str) -> tuple[Agent, asyncio.Lock]:
        """The session's agent (created on first use); called on the event loop only."""
        if session_id not in self.sessions:
            alternatives = self.alternatives
            agent = Agent(lambda prompt: self.generate(prompt), self.store,
                          prompt_style=self.info.get("prompt_style", TRAINED_PROMPT_STYLE), alternatives=alternatives)
            self.sessions[session_id] = (agent, asyncio.Lock())
            while len(self.sessions) > self.config.max_sessions:  # forget the least recently used
                self.sessions.popitem(last=False)
        self.sessions.move_to_end(session_id)
        return self.sessions[session_id]


def _busy(detail: str, config: ServerConfig) -> HTTPException:
    return HTTPException(status_code=503, detail=detail, headers={"Retry-After": str(config.retry_after_s)})


class BodyLimit:
    """ASGI middleware: bodies over `limit` bytes get 413 before anything reads them."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await SafeJSONResponse({"detail": f"request body over {self.limit} bytes"}, 413)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(status_code=413, detail=f"request body over {self.limit} bytes")
            return message

        return await self.app(scope, counted, send)


def create_app(
    store_path: str | Path = "outputs/server/tasks.db",
    generate: Optional[Generate] = None,
    loader: Optional[Callable[[], tuple]] = None,
    info: Optional[dict[str, Any]] = None,
    config: Optional[ServerConfig] = None,
    alternatives: Optional[Alternatives] = None,
) -> FastAPI:
    """An app with either a ready `generate(prompt) -> str` (tests, other backends), optionally
    `alternatives(prompt) -> [str]` for checked retries, or a `loader()` returning (generate, info)
    or (generate, info, alternatives) that runs in a background thread at start-up."""
    config = config or ServerConfig()
    state = ServerState(TaskStore(store_path), config)
    if generate is not None:
        state.generate, state.info = generate, dict(info or {"model_name": "custom generate function"})
        state.alternatives = alternatives

    def load() -> None:
        try:
            state.info = {}
            loaded = loader()
            state.alternatives = loaded[2] if len(loaded) > 2 else None
            state.generate, info_loaded = loaded[0], loaded[1]
            state.info = dict(info_loaded)
        except Exception as exc:  # reported by /health and /chat instead of killing the server
            state.error = f"{type(exc).__name__}: {exc}"

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if state.generate is None and loader is not None:
            threading.Thread(target=load, daemon=True, name="model-loader").start()
        yield

    def authorized(request: Request) -> None:
        if config.api_token and request.headers.get("authorization") != f"Bearer {config.api_token}":
            raise HTTPException(status_code=401, detail="missing or wrong bearer token",
                                headers={"WWW-Authenticate": "Bearer"})

    app = FastAPI(title="TaskAgent", version="2.0", lifespan=lifespan, default_response_class=SafeJSONResponse)
    app.state.agent_state = state
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(config.allowed_hosts))
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> SafeJSONResponse:
        # the location and the reason, never the (possibly huge) input itself
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:300], "type": e.get("type")}
                  for e in exc.errors()[:20]]
        return SafeJSONResponse({"detail": detail}, status_code=422)

    guarded = [Depends(authorized)]

    @app.get("/health")
    async def health() -> dict[str, Any]:
        status = "failed" if state.error else "ready" if state.generate is not None else "loading"
        return {"status": status, "ready": status == "ready", "error": state.error,
                "model_name": state.info.get("model_name"), "adapter": state.info.get("adapter"),
                "backend": state.info.get("backend"), "prompt_style": state.info.get("prompt_style"),
                "sessions": len(state.sessions), "queue": state.queue.status()}

    @app.post("/chat", response_model=ChatResponse, dependencies=guarded)
    async def chat(req: ChatRequest) -> ChatResponse:
        if state.error:
            raise HTTPException(status_code=503, detail=f"model failed to load: {state.error}")
        if state.generate is None:
            raise _busy("model is loading, retry in a moment", config)
        session_id = req.session_id or uuid.uuid4().hex
        agent, lock = state.session(session_id)
        deadline = time.monotonic() + config.chat_timeout_s
        try:  # one turn at a time per conversation, so its history stays in order
            await asyncio.wait_for(lock.acquire(), config.chat_timeout_s)
        except asyncio.TimeoutError:
            raise _busy("this session's previous message is still being answered", config) from None
        try:
            day = agent.day(req.today)
            prompt: ChatPrompt = agent.prompt_for(req.message, day)
            try:
                future = state.queue.submit(lambda: agent.generate(prompt))
            except QueueFull:
                raise _busy(f"{config.max_queue} chats are already waiting for the model", config) from None
            try:
                raw = await asyncio.wait_for(asyncio.wrap_future(future), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                future.cancel()  # dropped if it had not started; if it had, its answer is ignored
                raise _busy(f"the model did not answer within {config.chat_timeout_s:g} s; nothing was changed",
                            config) from None
            except Exception as exc:
                raise HTTPException(status_code=502, detail=f"the model failed: {type(exc).__name__}: {exc}") from None
            alternatives = await _second_try(agent, prompt, day, raw, deadline, req.message)
            try:
                turn = await run_in_threadpool(agent.finish, req.message, day, raw, None, alternatives)
            except ModelError as exc:
                raise HTTPException(status_code=502, detail=str(exc)) from None
        finally:
            lock.release()
        p = turn.parsed
        return ChatResponse(session_id=session_id, today=turn.today, analysis=p.analysis,
                            calls=[c.model_dump() for c in p.calls], results=turn.results, final=p.final,
                            raw=turn.raw, errors=turn.errors, retried_from=turn.retried_from)

    async def _second_try(agent: Agent, prompt: ChatPrompt, day: dt.date, raw: Any,
                          deadline: float, user: str) -> Optional[list[str]]:
        """The model's alternatives when `raw` cannot be carried out, through the queue and within
        the chat's deadline; None (the first answer stands) when not needed, late, or failed."""
        if agent.alternatives is None or not await run_in_threadpool(agent.needs_second_try, raw, day, user):
            return None
        try:
            future = state.queue.submit(lambda: agent.alternatives(prompt))
        except QueueFull:
            return None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            future.cancel()
            return None
        except Exception:
            return None

    @app.post("/undo", dependencies=guarded)
    async def undo(req: SessionRequest) -> dict[str, Any]:
        if req.session_id not in state.sessions:
            raise HTTPException(status_code=404, detail="no such session")
        agent, lock = state.session(req.session_id)
        async with lock:
            return {"undone": await run_in_threadpool(agent.undo)}

    @app.get("/tasks", dependencies=guarded)
    def tasks() -> dict[str, Any]:
        items = [t.model_dump() for t in state.store.list("all")]
        return {"count": len(items), "tasks": items}

    @app.get("/trash", dependencies=guarded)
    def trash() -> dict[str, Any]:
        items = [t.model_dump() for t in state.store.trash()]
        return {"count": len(items), "tasks": items}

    @app.post("/tasks/restore", dependencies=guarded)
    def restore(req: RestoreRequest) -> dict[str, Any]:
        result = execute([{"name": "restore_task", "args": {"title": req.title}}], state.store, dt.date.today())[0]
        if result["status"] != "success":
            raise HTTPException(status_code=404 if result.get("code") in ("not_found", "not_in_trash") else 409,
                                detail=result["message"])
        return result

    @app.delete("/tasks", dependencies=guarded)
    def clear_tasks() -> dict[str, Any]:
        return {"deleted": state.store.clear()}  # counted inside the transaction that removes them

    return app


def model_loader(model_name: Optional[str], adapter_dir: Optional[str], max_seq_length: int = 2048,
                 max_new_tokens: int = MAX_NEW_TOKENS, retry: bool = True) -> Callable[[], tuple]:
    def load() -> tuple[Generate, dict[str, Any], Optional[Alternatives]]:
        """The model's generate, info and (with `retry` and an adapter) its checked retries' alternatives."""
        from lib.generation import make_alternatives_fn, make_generate_fn
        from lib.model import load_model  # torch is imported in the loader thread, not at start-up

        model, tokenizer = load_model(model_name, max_seq_length, adapter_dir=adapter_dir)
        alternatives = make_alternatives_fn(model, tokenizer, max_new_tokens=max_new_tokens) \
            if retry and adapter_dir else None
        return make_generate_fn(model, tokenizer, max_new_tokens), dict(model.taskagent_info), alternatives

    return load


def remote_loader(base_url: str, served_model: str, api_key_env: str = "OPENAI_API_KEY",
                  prompt_style: str = TRAINED_PROMPT_STYLE, grammar: Optional[str] = None
                  ) -> Callable[[], tuple[Generate, dict[str, Any]]]:
    def load() -> tuple[Generate, dict[str, Any]]:
        from lib.remote import OpenAICompatible

        backend = OpenAICompatible(base_url, served_model, api_key_env=api_key_env, prompt_style=prompt_style,
                                   grammar=grammar)
        return backend, backend.info

    return load


def main(argv: Optional[list[str]] = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lib.server", description="TaskAgent HTTP API")
    p.add_argument("--backend", choices=["local", "openai"], default="local",
                   help="local: load the model in this process; openai: call an OpenAI-compatible engine")
    p.add_argument("--base-url", default=None, help="openai backend: e.g. http://localhost:8001/v1 (vLLM, llama.cpp)")
    p.add_argument("--served-model", default=None, help="openai backend: the served model name, e.g. taskagent")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", help="openai backend: env variable holding the key")
    p.add_argument("--engine-grammar", choices=["vllm", "llama.cpp"], default=None,
                   help="openai backend: constrain replies to the contract with the engine's grammar support")
    p.add_argument("--model", default=None, help="HF name/folder, or smollm2/tiny (default: GPU model with CUDA, smollm2 without)")
    p.add_argument("--adapter", default=None, help="LoRA adapter folder or Hub id (default: none, the base model)")
    p.add_argument("--retry", action=argparse.BooleanOptionalAction, default=True,
                   help="local backend with an adapter: a checked second try for answers that cannot be carried out "
                        "(lib.retry; default on)")
    p.add_argument("--store", default="outputs/server/tasks.db")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS)
    p.add_argument("--max-queue", type=int, default=ServerConfig().max_queue)
    p.add_argument("--chat-timeout", type=float, default=ServerConfig().chat_timeout_s)
    p.add_argument("--allowed-hosts", nargs="+", default=None,
                   help="Host header values to serve (default: localhost only; add your server's name to serve it)")
    p.add_argument("--token", default=os.environ.get("TASKAGENT_API_TOKEN"),
                   help="require 'Authorization: Bearer TOKEN' (default: $TASKAGENT_API_TOKEN)")
    a = p.parse_args(argv)
    hosts = tuple(a.allowed_hosts or LOCAL_HOSTS)
    if a.host not in LOCAL_HOSTS and not a.token:
        p.error(f"--host {a.host} serves beyond this machine: set --token (or TASKAGENT_API_TOKEN) as well")
    import uvicorn

    config = ServerConfig(max_queue=a.max_queue, chat_timeout_s=a.chat_timeout, allowed_hosts=hosts, api_token=a.token)
    if a.backend == "openai":
        if not (a.base_url and a.served_model):
            p.error("--backend openai needs --base-url and --served-model")
        loader = remote_loader(a.base_url, a.served_model, a.api_key_env, grammar=a.engine_grammar)
    else:
        loader = model_loader(a.model, a.adapter, max_new_tokens=a.max_new_tokens, retry=a.retry)
    app = create_app(a.store, loader=loader, config=config)
    uvicorn.run(app, host=a.host, port=a.port)


if __name__ == "__main__":
    main()
