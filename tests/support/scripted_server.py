"""A server on 127.0.0.1 with canned answers, for the HTTP client's retries, limits and hostile bytes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.support.local_server import LocalServer


@dataclass
class Scripted:
    """One canned answer: status, headers, body, and seconds to stall before answering."""

    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    drip: float = 0.0
    """Seconds between the body's bytes, sent one at a time."""


class ScriptedServer(LocalServer):
    """A real server on 127.0.0.1 with canned answers; records paths and User-Agents.

    `replies` is a list (each request takes the next; the last one repeats) or a function of the path.
    """

    def __init__(self, replies: list[Scripted] | Callable[[str], Scripted]) -> None:
        self.replies = replies
        self.seen: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.seen.append((self.path, self.headers.get("User-Agent", "")))
                reply = outer.next_reply(self.path)
                if reply.stall:
                    time.sleep(reply.stall)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if not reply.drip:
                    self.wfile.write(reply.body)
                    return
                try:
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip)
                except OSError:
                    return  # the client gave up

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(Handler)
        self.url = f"http://127.0.0.1:{self.port}/"

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.seen]

    def next_reply(self, path: str) -> Scripted:
        if callable(self.replies):
            return self.replies(path)
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
