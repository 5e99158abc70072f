"""A fake Postmark API on 127.0.0.1: records each request and plays scripted answers.

Anymail's real Postmark backend talks to it over HTTP (ANYMAIL["POSTMARK_API_URL"]),
so the tests exercise Anymail's request building and error handling unmocked.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: dict[str, Any] | None = None  # None: Postmark's success answer for the request
    delay: float = 0.0  # seconds to wait before answering (longer than the client timeout)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    json: dict[str, Any]
    reply: dict[str, Any]  # what the fake answered (or would have, after a timeout)

    def header(self, name: str) -> str | None:
        """A header of the email (Postmark's "Headers" list), not of the HTTP request."""
        for item in self.json.get("Headers", []):
            if item["Name"].lower() == name.lower():
                return item["Value"]
        return None


class FakePostmark:
    """Start with `with FakePostmark() as esp:`; script answers with esp.answer(...)."""

    def __init__(self, respond: Callable[[dict[str, Any]], Answer] | None = None) -> None:
        self.requests: list[Request] = []
        self.script: deque[Answer] = deque()
        # Answers a request nothing was scripted for (called under the lock); default: accept.
        # perf/chaos_dispatch.py passes a seeded mix of failures here.
        self.respond = respond or (lambda body: Answer())
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    answer = fake.script.popleft() if fake.script else fake.respond(body)
                    reply = answer.body if answer.body is not None else fake.accepted(body)
                    fake.requests.append(Request(self.path, dict(self.headers), body, reply))
                if answer.delay and fake._stopping.wait(answer.delay):
                    return
                data = json.dumps(reply).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout case)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    @staticmethod
    def accepted(body: dict[str, Any]) -> dict[str, Any]:
        """Postmark's answer when it accepts an email."""
        return {
            "To": body.get("To", ""),
            "SubmittedAt": "2025-03-05T13:00:00.0000000-05:00",
            "MessageID": str(uuid.uuid4()),
            "ErrorCode": 0,
            "Message": "OK",
        }

    def answer(
        self, status: int = 200, body: dict[str, Any] | None = None, delay: float = 0
    ) -> None:
        """Queue the answer to the next request (after that, requests are accepted)."""
        self.script.append(Answer(status=status, body=body, delay=delay))

    def __enter__(self) -> FakePostmark:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
