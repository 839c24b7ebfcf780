"""A small OpenAI-compatible chat server on 127.0.0.1 for the lyrics tests.

It speaks ``POST /v1/chat/completions`` (and ``GET /v1/models``) as llama.cpp's and vLLM's
servers do, answering each request with the next scripted reply (a text, or an HTTP status to
fail with) and recording what it was sent.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "tiny-songwriter"


class ChatServer:
    """Scripted chat completions; ``requests`` holds the bodies and headers received."""

    def __init__(self, *replies: str | int) -> None:
        self.replies: list[str | int] = list(replies)
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                server.requests.append({"headers": dict(self.headers), "body": json.loads(raw)})
                reply = server.replies.pop(0) if server.replies else 500
                if isinstance(reply, int):
                    self._send(reply, {"error": {"message": "scripted failure", "type": "server_error"}})
                else:
                    self._send(200, server.completion(reply))

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def completion(content: str) -> dict[str, Any]:
        """An OpenAI ``chat.completion`` object."""
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 120, "total_tokens": 220},
        }

    @property
    def url(self) -> str:
        """The ``/v1`` base URL, as OpenAI clients are configured."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
