"""The chat engine: lyrics from any OpenAI-compatible ``/v1/chat/completions`` server.

A local llama.cpp (``llama-server``), vLLM, Ollama or any hosted service that speaks the protocol
will do; it is configured by URL and model name (``MIXDOWN_LYRICS_CHAT_URL``,
``MIXDOWN_LYRICS_CHAT_MODEL``, optionally ``MIXDOWN_LYRICS_CHAT_API_KEY``). The URL may be the
server's root (``http://127.0.0.1:8080``), its ``/v1`` base or the full endpoint.

All network I/O goes through :class:`ChatClient`, whose ``transport`` is any ``httpx``
transport: ``httpx.MockTransport`` in unit tests, a real local server in integration tests.
Environment proxies are ignored: the server is named explicitly. Failures become
:class:`~mixdown.errors.TaskError` with the server's answer in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from mixdown.errors import TaskError

TIMEOUT_SECONDS = 90.0
MAX_TOKENS = 1500
TEMPERATURE = 0.9
_VERSIONED = re.compile(r"/v\d+$")
_ENDPOINT = "/chat/completions"


@dataclass(frozen=True)
class ChatConfig:
    """Where the chat server is, which model to ask, and its key if it needs one."""

    url: str
    model: str
    api_key: str | None = None
    timeout: float = TIMEOUT_SECONDS

    @property
    def endpoint(self) -> str:
        """The chat-completions URL.

        Examples
        --------
        >>> [ChatConfig(u, "m").endpoint for u in ("http://h:8080", "http://h/v1/", "http://h/v1/chat/completions")]
        ['http://h:8080/v1/chat/completions', 'http://h/v1/chat/completions', 'http://h/v1/chat/completions']
        """
        base = self.url.rstrip("/")
        if base.endswith(_ENDPOINT):
            return base
        return base + _ENDPOINT if _VERSIONED.search(base) else f"{base}/v1{_ENDPOINT}"


def config_problem(url: str | None, model: str | None) -> str | None:
    """Why these settings do not configure a chat engine, or None when they do."""
    if not url or not model:
        return "not configured: set MIXDOWN_LYRICS_CHAT_URL and MIXDOWN_LYRICS_CHAT_MODEL"
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return f"MIXDOWN_LYRICS_CHAT_URL must be an http(s) URL, not {url!r}"
    return None


class ChatClient:
    """Sends a conversation, returns the reply's text."""

    def __init__(self, config: ChatConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport

    def _headers(self) -> dict[str, str]:
        key = self.config.api_key
        return {"Authorization": f"Bearer {key}"} if key else {}

    def body(self, messages: list[dict[str, str]], *, seed: int | None) -> dict[str, Any]:
        """The request body (OpenAI's fields that llama.cpp and vLLM also read)."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "temperature": TEMPERATURE,
            "max_tokens": MAX_TOKENS,
            "stream": False,
        }
        if seed is not None:
            body["seed"] = seed
        return body

    def complete(self, messages: list[dict[str, str]], *, seed: int | None = None) -> str:
        """The assistant's reply to ``messages``; ``TaskError`` when the server fails or answers oddly."""
        try:
            with httpx.Client(
                transport=self._transport, timeout=self.config.timeout, trust_env=False
            ) as client:
                response = client.post(
                    self.config.endpoint, json=self.body(messages, seed=seed), headers=self._headers()
                )
        except httpx.HTTPError as exc:
            raise TaskError(f"The lyrics chat engine at {self.config.endpoint} failed: {exc}") from exc
        return reply_text(response, self.config.endpoint)


def reply_text(response: httpx.Response, endpoint: str) -> str:
    """``choices[0].message.content`` of a chat-completions answer."""
    if response.status_code != 200:
        raise TaskError(
            f"The lyrics chat engine at {endpoint} answered {response.status_code}: {response.text[:300]}"
        )
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, LookupError, TypeError) as exc:
        raise TaskError(f"The lyrics chat engine at {endpoint} sent no chat completion") from exc
    if not isinstance(content, str) or not content.strip():
        raise TaskError(f"The lyrics chat engine at {endpoint} sent an empty reply")
    return content
