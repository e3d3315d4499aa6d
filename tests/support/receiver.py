"""A real HTTP receiver on 127.0.0.1 for notification tests: it records every POST and answers `status`."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_server import LocalServer


class Receiver(LocalServer):
    """What Apprise's `json://` target posts to; `messages` holds each POST's JSON body, in order."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.messages.append(json.loads(body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)

    def url(self, path: str = "hook", credentials: str = "") -> str:
        """The Apprise URL of this receiver (`json://[credentials@]127.0.0.1:PORT/path`)."""
        at = f"{credentials}@" if credentials else ""
        return f"json://{at}127.0.0.1:{self.port}/{path}"
