"""A fake Postmark API on 127.0.0.1: records each request and plays scripted answers.

Anymail's real Postmark backend talks to it over HTTP (ANYMAIL["POSTMARK_API_URL"]),
so the tests exercise Anymail's request building and error handling unmocked. It keeps
connections alive (HTTP/1.1) as Postmark does, can take `latency` seconds to answer every
request, and answers Postmark's Outbound message search (GET /messages/outbound, filtered
by metadata_<key>=<value>) from the emails it accepted.

An answer can also take the email and then not say so: `accepted=True` with a gateway's
5xx (`status`), or `reset=True` (the connection drops after the email was taken).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def _matches(request: Request, query: dict[str, str]) -> bool:
    """Postmark's search filters: metadata_<key>=<value>, recipient (the others are ignored)."""
    metadata = request.json.get("Metadata") or {}
    for key, value in query.items():
        if key.startswith("metadata_") and str(metadata.get(key[9:], "")) != value:
            return False
        if key == "recipient" and value.lower() not in request.json.get("To", "").lower():
            return False
    return True


@dataclass
class Answer:
    status: int = 200
    body: dict[str, Any] | None = None  # None: Postmark's success answer for the request
    delay: float = 0.0  # seconds to wait before answering (longer than the client timeout)
    # Took the email whatever the answer says (a 200 takes it anyway): a gateway's 504 after
    # Postmark accepted it, or a reset or a hang after that.
    accepted: bool = False
    reset: bool = False  # drop the connection instead of answering
    text: str | None = None  # a non-JSON body (a gateway's error page)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    json: dict[str, Any]
    reply: dict[str, Any]  # what the fake answered (or would have, after a timeout)
    taken: bool = False  # Postmark kept the email (its search finds it)

    def header(self, name: str) -> str | None:
        """A header of the email (Postmark's "Headers" list), not of the HTTP request."""
        for item in self.json.get("Headers", []):
            if item["Name"].lower() == name.lower():
                return item["Value"]
        return None


class FakePostmark:
    """Start with `with FakePostmark() as esp:`; script answers with esp.answer(...)."""

    def __init__(
        self, respond: Callable[[dict[str, Any]], Answer] | None = None, *, latency: float = 0.0
    ) -> None:
        self.requests: list[Request] = []
        self.searches: list[dict[str, str]] = []
        self.script: deque[Answer] = deque()
        self.latency = latency
        # Answers a request nothing was scripted for (called under the lock); default: accept.
        # perf/chaos_dispatch.py passes a seeded mix of failures here.
        self.respond = respond or (lambda body: Answer())
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real API
            # The answer leaves in one write (flushed after each request), without Nagle's
            # wait: otherwise the client's delayed ACK adds 40 ms to every request.
            wbufsize = -1

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    answer = fake.script.popleft() if fake.script else fake.respond(body)
                    reply = answer.body if answer.body is not None else fake.accepted(body)
                    taken = answer.accepted or (answer.status == 200 and not answer.reset)
                    fake.requests.append(
                        Request(self.path, dict(self.headers), body, reply, taken=taken)
                    )
                if fake.latency and fake._stopping.wait(fake.latency):
                    return
                if answer.delay and fake._stopping.wait(answer.delay):
                    return
                if answer.reset:
                    self._reset()
                    return
                if answer.text is not None:
                    self._answer(answer.status, answer.text.encode(), "text/html")
                else:
                    self._answer(answer.status, json.dumps(reply).encode(), "application/json")

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(url.query).items()}
                if url.path.rstrip("/") != "/messages/outbound":
                    self._answer(404, b'{"ErrorCode": 404, "Message": "Not found"}')
                    return
                with fake._lock:
                    fake.searches.append(query)
                    found = [r for r in fake.requests if r.taken and _matches(r, query)]
                listed = [
                    {
                        "MessageID": r.reply.get("MessageID", ""),
                        "Status": "Sent",
                        "Metadata": r.json.get("Metadata") or {},
                        "Subject": r.json.get("Subject", ""),
                        "Recipients": [r.json.get("To", "")],
                    }
                    for r in found
                ]
                data = {"TotalCount": len(listed), "Messages": listed}
                self._answer(200, json.dumps(data).encode())

            def _answer(self, status: int, data: bytes, kind: str = "application/json") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (the timeout case)

            def _reset(self) -> None:
                """Close with RST: the client sees its connection reset after sending."""
                self.close_connection = True
                try:
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                except OSError:
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def taken(self) -> list[Request]:
        """The requests whose email Postmark kept (what its search finds)."""
        with self._lock:
            return [request for request in self.requests if request.taken]

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
        self,
        status: int = 200,
        body: dict[str, Any] | None = None,
        delay: float = 0,
        **more: Any,
    ) -> None:
        """Queue the answer to the next request (after that, requests are accepted)."""
        self.script.append(Answer(status=status, body=body, delay=delay, **more))

    def __enter__(self) -> FakePostmark:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
