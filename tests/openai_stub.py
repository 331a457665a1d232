"""A small OpenAI-compatible chat-completions server for tests (standard library only).

It answers `POST /v1/chat/completions` like an engine would, with contract replies chosen by
simple rules on the last user message ("add X [due D]" -> add_task, "done X", "delete X", "list",
else a <final> greeting), and it drops the stop string from the text as real engines do. Error
modes on demand, by the user message: "!slow" (sleeps past the client's timeout), "!500",
"!garbage" (not JSON), "!nochoices" (JSON without choices), "!nulltext" (content null).
Every request body is recorded in `requests`. It serves on 127.0.0.1 and stops by itself after
`idle_s` without requests or `max_requests` requests, whichever comes first.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def contract_reply(text: str) -> str:
    m = re.match(r"(?i)add (.+?)(?: due (.+))?$", text)
    if m:
        args = {"title": m.group(1)} | ({"due_date": m.group(2)} if m.group(2) else {})
        call = "add_task(" + ", ".join(f'{k}="{v}"' for k, v in args.items()) + ")"
        return f"<analysis>\nUser wants to add '{m.group(1)}'.\n</analysis>\n\n<action>\n{call}\n</action>"
    for verb, tool in (("done ", "complete_task"), ("delete ", "delete_task")):
        if text.lower().startswith(verb):
            title = text[len(verb):]
            return f"<analysis>\nThe user means '{title}'.\n</analysis>\n\n<action>\n{tool}(title=\"{title}\")\n</action>"
    if text.lower() == "list":
        return '<analysis>\nShow the open tasks.\n</analysis>\n\n<action>\nlist_tasks(status="open")\n</action>'
    return "<final>Hello from the stub engine!</final>"


class StubEngine:
    def __init__(self, idle_s: float = 60.0, max_requests: int = 5000, slow_s: float = 3.0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.idle_s, self.max_requests, self.slow_s = idle_s, max_requests, slow_s
        self._last = time.monotonic()
        engine = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, code: int, payload: bytes, kind: str = "application/json") -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                engine._last = time.monotonic()
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, b'{"error": "not found"}')
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                engine.requests.append(body)
                user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
                if user == "!slow":
                    time.sleep(engine.slow_s)
                if user == "!500":
                    return self._send(500, b'{"error": {"message": "engine exploded"}}')
                if user == "!garbage":
                    return self._send(200, b"<html>definitely not json", "text/html")
                if user == "!nochoices":
                    return self._send(200, b'{"object": "chat.completion"}')
                text = None if user == "!nulltext" else contract_reply(user)
                finish = "stop"
                if text is not None:
                    for stop in body.get("stop") or []:  # engines leave the stop string out
                        if stop in text:
                            text = text[: text.index(stop)]
                            break
                    else:
                        finish = "length"
                reply = {"id": "stub", "object": "chat.completion", "model": body.get("model"),
                         "choices": [{"index": 0, "finish_reason": finish,
                                      "message": {"role": "assistant", "content": text}}]}
                self._send(200, json.dumps(reply).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while time.monotonic() - self._last < self.idle_s and len(self.requests) < self.max_requests:
            time.sleep(0.2)
        self.stop()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "StubEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
