"""Delivering webhooks: the :class:`WebhookSender` boundary and its twins.

A sender never raises for a refused URL or a network problem: it returns a
:class:`SendOutcome`, which the delivery loop records before scheduling a retry.
"""

from __future__ import annotations

import ssl
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from mixdown.errors import UrlRefused
from mixdown.net.pinned import default_ssl_context, pinned_request, remaining
from mixdown.net.ssrf import AddressPolicy, Resolver, system_resolver

FIELD = "webhook_url"
#: How much of a receiver's answer is read at most (a little is quoted in errors).
RESPONSE_PEEK_BYTES = 4096
_QUOTED_CHARS = 200


@dataclass(frozen=True, kw_only=True)
class SendOutcome:
    """What happened to one delivery attempt."""

    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def ok(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender(Protocol):
    """POSTs one webhook delivery."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendOutcome:
        """Deliver ``body`` to ``url``; never raises for network problems."""
        ...


class HttpWebhookSender:
    """POSTs with the SSRF guard and address pinning; redirects count as failures.

    ``timeout`` bounds the whole attempt; ``allowlist``, ``resolver`` and
    ``ssl_context`` mean what they mean for :class:`~mixdown.net.fetch.HttpUrlFetcher`.
    """

    def __init__(
        self,
        *,
        timeout: float,
        allowlist: Sequence[str],
        user_agent: str = "mixdown",
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._timeout = timeout
        self._ssl_context = ssl_context or default_ssl_context()
        self._policy = AddressPolicy(allowlist, resolver=resolver)
        # identity: the start of the answer is quoted in errors, so keep it readable.
        self._base_headers = {"User-Agent": user_agent, "Accept-Encoding": "identity"}

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendOutcome:
        """Deliver ``body`` to ``url``; see :meth:`WebhookSender.send`."""
        started = time.monotonic()
        try:
            status, error = self._post(url, body, headers, started + self._timeout)
        except UrlRefused as exc:
            status, error = None, exc.message
        duration_ms = (time.monotonic() - started) * 1000
        return SendOutcome(status_code=status, error=error, duration_ms=duration_ms)

    def _post(
        self, url: str, body: bytes, headers: Mapping[str, str], deadline: float
    ) -> tuple[int, str | None]:
        target = self._policy.resolve_and_check(url, field=FIELD)
        left = remaining(deadline, url=url, timeout=self._timeout, field=FIELD)
        with pinned_request(
            target,
            method="POST",
            headers={**self._base_headers, **headers},
            content=body,
            timeout=left,
            field=FIELD,
            ssl_context=self._ssl_context,
        ) as response:
            answer = self._peek(response, url, deadline)
        status = response.status_code
        if 200 <= status < 300:
            return status, None
        return status, status_error(status, response.reason_phrase, answer)

    def _peek(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        # Enough to quote in an error; a receiver must not be able to keep us busy.
        answer = b""
        for chunk in response.iter_raw():
            answer += chunk
            if len(answer) >= RESPONSE_PEEK_BYTES:
                break
            remaining(deadline, url=url, timeout=self._timeout, field=FIELD)
        return answer[:RESPONSE_PEEK_BYTES]


@dataclass(frozen=True)
class SentWebhook:
    """One delivery recorded by :class:`MemoryWebhookSender`."""

    url: str
    body: bytes
    headers: dict[str, str]


class MemoryWebhookSender:
    """In-memory twin: records deliveries and plays a script of outcomes per URL.

    ``script`` maps a URL to the answers of its next deliveries in order: a
    status code, or a string for a network failure with that error text. Once a
    URL's script is used up (or for a URL without one) the answer is 200.
    """

    def __init__(self, script: Mapping[str, Sequence[int | str]] | None = None) -> None:
        self._script = {url: deque(steps) for url, steps in (script or {}).items()}
        self.sent: list[SentWebhook] = []

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendOutcome:
        """Record the delivery and return the next scripted outcome."""
        self.sent.append(SentWebhook(url, body, dict(headers)))
        steps = self._script.get(url)
        step = steps.popleft() if steps else 200
        if isinstance(step, str):
            return SendOutcome(status_code=None, error=step, duration_ms=0.0)
        error = None if 200 <= step < 300 else status_error(step, "", b"")
        return SendOutcome(status_code=step, error=error, duration_ms=0.0)


def status_error(status: int, reason: str, answer: bytes) -> str:
    """Error text for a non-2xx answer, quoting the start of the receiver's body."""
    text = f"receiver answered HTTP {status} {reason}".rstrip()
    if 300 <= status < 400:
        text += " (redirects are not followed)"
    quoted = answer.decode("utf-8", "replace").strip()[:_QUOTED_CHARS]
    return f"{text}: {quoted}" if quoted else text
