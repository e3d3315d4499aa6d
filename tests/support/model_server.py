"""A local OpenAI-compatible chat-completions server on 127.0.0.1, for the language-model tests.

It answers `POST /v1/chat/completions` from `answer(prompt)` (a canned completion with usage fields),
unless `script` holds a misbehaviour for the next request: a status with headers (429 with Retry-After,
500), a slow drip, malformed JSON. A model other than `model` is a 404, as OpenAI answers it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_server import LocalServer

MODEL = "stub-model"


@dataclass(frozen=True)
class Status:
    """Answer the request with this status, headers and body."""

    code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"error": {"message": "try again later", "type": "server_error"}}'


@dataclass(frozen=True)
class Drip:
    """Answer with a good completion, one byte every `interval` seconds."""

    interval: float = 0.05


@dataclass(frozen=True)
class Malformed:
    """Answer 200 with this body, which is no chat completion."""

    body: str = '{"id": "x", "choices": [{"message": '


Misbehaviour = Status | Drip | Malformed


def summary_of(prompt: str) -> str:
    """The stub's canned summary: a TL;DR naming the paper's title, and one key point."""
    title = re.search(r"^Title: (.*)$", prompt, re.MULTILINE)
    named = title[1] if title else "the paper"
    return f"TL;DR: {named} in one sentence.\n- It has one key point."


class ModelServer(LocalServer):
    """Chat completions on a free port; `prompts` holds every prompt asked (a good request or not), and
    `authorizations` each request's Authorization header."""

    def __init__(self, answer: Callable[[str], str] = summary_of, model: str = MODEL) -> None:
        self.answer = answer
        self.model = model
        self.script: list[Misbehaviour] = []
        self.prompts: list[str] = []
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                prompt = request["messages"][-1]["content"]
                with server._lock:
                    server.prompts.append(prompt)
                    server.authorizations.append(self.headers.get("Authorization"))
                    misbehaviour = server.script.pop(0) if server.script else None
                if request.get("model") != server.model:
                    message = f"The model `{request.get('model')}` does not exist"
                    error = {"message": message, "type": "invalid_request_error", "code": "model_not_found"}
                    self._send(404, json.dumps({"error": error}).encode())
                elif isinstance(misbehaviour, Status):
                    self._send(misbehaviour.code, misbehaviour.body.encode(), misbehaviour.headers)
                elif isinstance(misbehaviour, Malformed):
                    self._send(200, misbehaviour.body.encode())
                else:
                    body = json.dumps(server.completion(prompt)).encode()
                    self._send(200, body, drip=misbehaviour.interval if misbehaviour else 0.0)

            def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None, drip: float = 0.0) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    if not drip:
                        self.wfile.write(body)
                        return
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(drip)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def completion(self, prompt: str) -> dict[str, Any]:
        text = self.answer(prompt)
        return {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 0,
            "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split()), "total_tokens": 0},
        }
