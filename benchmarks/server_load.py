"""Load on the HTTP server with a fake model of fixed latency, and with a hung one.

    python benchmarks/server_load.py [--clients 40] [--requests 200] [--latency 0.05]

A real uvicorn server on 127.0.0.1 (a free port), N client threads posting /chat "add task k"
(each request its own session), bounded in count and time. The fake model answers every request
with add_task(title=...) after `latency` seconds. Reports requests answered, 503s (with
Retry-After), p50/p99 latency, and whether every 200 wrote exactly its task once. Then the hung
model: /health latency while every generation hangs, and whether every queued chat got an answer
(result or 503) within its timeout. A benchmark, not a test: figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(app, port: int):
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            return server
        time.sleep(0.05)
    raise RuntimeError("the server did not start")


def _pct(values: list[float], q: float) -> float:
    return round(sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000, 1) if values else float("nan")


def run(clients: int, requests: int, latency: float, max_queue: int, timeout_s: float) -> dict:
    import httpx

    from lib.parser import format_action, format_final
    from lib.server import ServerConfig, create_app

    def fake(prompt):
        time.sleep(latency)
        text = prompt.messages[-1]["content"]
        return format_action([{"name": "add_task", "args": {"title": text[4:]}}]) if text.startswith("add ") \
            else format_final("hi")

    out: dict = {"clients": clients, "requests": requests, "latency_s": latency, "max_queue": max_queue,
                 "chat_timeout_s": timeout_s}
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        server = _serve(create_app(Path(tmp) / "t.db", generate=fake, info={"model_name": "fake"},
                                   config=ServerConfig(max_queue=max_queue, chat_timeout_s=timeout_s)), port)
        base = f"http://127.0.0.1:{port}"

        def one(k: int):
            t0 = time.perf_counter()
            r = httpx.post(f"{base}/chat", json={"message": f"add task {k}", "session_id": f"s{k}"}, timeout=timeout_s + 10)
            return k, r.status_code, r.headers.get("retry-after"), time.perf_counter() - t0

        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(one, range(requests)))
        out["wall_s"] = round(time.perf_counter() - t0, 2)
        ok = [r for r in results if r[1] == 200]
        busy = [r for r in results if r[1] == 503]
        stored = [t["title"] for t in httpx.get(f"{base}/tasks").json()["tasks"]]
        out.update({
            "answered_200": len(ok), "refused_503": len(busy), "503_with_retry_after": sum(1 for r in busy if r[2]),
            "other": len(results) - len(ok) - len(busy),
            "p50_ms_200": _pct([r[3] for r in ok], 0.5), "p99_ms_200": _pct([r[3] for r in ok], 0.99),
            "p99_ms_503": _pct([r[3] for r in busy], 0.99),
            "tasks_stored": len(stored), "duplicates": len(stored) - len(set(stored)),
            "every_200_stored_once": sorted(stored) == sorted(f"task {k}" for k, *_ in ok),
        })
        server.should_exit = True

    # The hung model: every generation blocks until the end of the benchmark.
    release = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        hung_timeout = 2.0
        server = _serve(create_app(Path(tmp) / "t.db", generate=lambda p: release.wait(60) and "",
                                   info={"model_name": "hung"},
                                   config=ServerConfig(max_queue=max_queue, chat_timeout_s=hung_timeout)), port)
        base = f"http://127.0.0.1:{port}"
        with cf.ThreadPoolExecutor(clients) as pool:
            t0 = time.perf_counter()
            chats = [pool.submit(httpx.post, f"{base}/chat", json={"message": f"hi {k}"}, timeout=30)
                     for k in range(clients)]
            time.sleep(0.5)
            health_ms = []
            for _ in range(20):
                h0 = time.perf_counter()
                httpx.get(f"{base}/health", timeout=5)
                health_ms.append((time.perf_counter() - h0) * 1000)
            codes = [c.result().status_code for c in chats]
            waited = time.perf_counter() - t0
        out["hung"] = {"chat_timeout_s": hung_timeout, "chats": clients, "answered": len(codes),
                       "all_503": set(codes) == {503}, "slowest_answer_s": round(waited, 2),
                       "health_ms_max": round(max(health_ms), 1), "health_ms_median": round(statistics.median(health_ms), 1)}
        release.set()
        server.should_exit = True
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--clients", type=int, default=40)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--latency", type=float, default=0.05)
    p.add_argument("--max-queue", type=int, default=16)
    p.add_argument("--timeout", type=float, default=10.0)
    a = p.parse_args()
    print(json.dumps(run(a.clients, a.requests, a.latency, a.max_queue, a.timeout), indent=1))


if __name__ == "__main__":
    main()
