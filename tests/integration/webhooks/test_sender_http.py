"""HttpWebhookSender against a real receiver on 127.0.0.1, and its memory twin."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mixdown.webhooks.sender import (
    HttpWebhookSender,
    MemoryWebhookSender,
    SendOutcome,
    WebhookSender,
)
from mixdown.webhooks.signing import signature_headers, verify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY = b'{"type":"job.completed","data":{"id":"job_1"}}'
LOOPBACK = ["127.0.0.1/32"]


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hang up on purpose here (size caps, deadlines, short reads).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Receiver

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append((self.path, dict(self.headers), body))
        with contextlib.suppress(OSError):  # the sender stopped reading (long answer)
            self._answer()

    def _answer(self) -> None:
        if self.path == "/ok":
            self._send(200, b"thanks")
        elif self.path == "/accepted":
            self._send(202, b"")
        elif self.path == "/fail":
            self._send(500, b"database is down")
        elif self.path == "/redirect":
            self._send(302, b"", {"Location": "/ok"})
        elif self.path == "/long":
            self._send(500, b"E" * 1_000_000)
        elif self.path == "/hang":
            self.server.stopping.wait(10)
        else:
            self._send(404, b"")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def _sender(allowlist: list[str] = LOOPBACK, timeout: float = 5.0) -> HttpWebhookSender:
    return HttpWebhookSender(timeout=timeout, allowlist=allowlist)


def _headers() -> dict[str, str]:
    return signature_headers(SECRET, "msg_1", 1_700_000_000, BODY)


@pytest.mark.timeout(30)
def test_delivery_ok(receiver: _Receiver) -> None:
    # When
    outcome = _sender().send(receiver.url("/ok"), BODY, {**_headers(), "host": "evil.example"})

    # Then
    assert outcome.ok
    assert outcome.status_code == 200
    assert outcome.error is None
    assert outcome.duration_ms > 0
    [(path, headers, body)] = receiver.received
    assert (path, body) == ("/ok", BODY)
    assert headers["Host"] == f"127.0.0.1:{receiver.port}"  # never the caller's
    assert headers["User-Agent"] == "mixdown"
    assert headers["content-type"] == "application/json"
    verify(headers, body, SECRET, now=1_700_000_000)


@pytest.mark.timeout(30)
def test_any_2xx_is_ok(receiver: _Receiver) -> None:
    outcome = _sender().send(receiver.url("/accepted"), BODY, _headers())

    assert outcome.ok
    assert outcome.status_code == 202


@pytest.mark.timeout(30)
def test_server_error_is_not_ok(receiver: _Receiver) -> None:
    outcome = _sender().send(receiver.url("/fail"), BODY, _headers())

    assert not outcome.ok
    assert outcome.status_code == 500
    assert outcome.error == "receiver answered HTTP 500 Internal Server Error: database is down"


@pytest.mark.timeout(30)
def test_long_answer_is_cut_short(receiver: _Receiver) -> None:
    outcome = _sender().send(receiver.url("/long"), BODY, _headers())

    assert outcome.status_code == 500
    assert outcome.error is not None
    assert len(outcome.error) < 300


@pytest.mark.timeout(30)
def test_redirect_is_not_followed(receiver: _Receiver) -> None:
    outcome = _sender().send(receiver.url("/redirect"), BODY, _headers())

    assert not outcome.ok
    assert outcome.status_code == 302
    assert outcome.error is not None
    assert "redirects are not followed" in outcome.error
    assert [path for path, _, _ in receiver.received] == ["/redirect"]


@pytest.mark.timeout(30)
def test_connection_refused_is_error_text() -> None:
    # Given a port nobody listens on any more
    probe = _Receiver()
    port = probe.port
    probe.server_close()

    outcome = _sender().send(f"http://127.0.0.1:{port}/ok", BODY, _headers())

    assert not outcome.ok
    assert outcome.status_code is None
    assert outcome.error is not None
    assert outcome.error.startswith(f"could not connect to http://127.0.0.1:{port}/ok")


@pytest.mark.timeout(30)
def test_timeout_is_error_text(receiver: _Receiver) -> None:
    outcome = _sender(timeout=0.5).send(receiver.url("/hang"), BODY, _headers())

    assert outcome.status_code is None
    assert outcome.error is not None
    assert "timed out" in outcome.error
    assert outcome.duration_ms < 3000


@pytest.mark.timeout(30)
def test_private_address_is_refused_unless_allowlisted(receiver: _Receiver) -> None:
    # Given a sender without allowlist
    outcome = _sender(allowlist=[]).send(receiver.url("/ok"), BODY, _headers())

    # Then nothing is sent
    assert outcome.status_code is None
    assert outcome.error == "address 127.0.0.1 is loopback and not allowlisted"
    assert receiver.received == []

    # And once allowlisted it is delivered
    assert _sender(allowlist=["127.0.0.0/8"]).send(receiver.url("/ok"), BODY, {}).ok


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "not a url", "http://10.0.0.1/"])
def test_refused_urls_never_raise(url: str) -> None:
    outcome = _sender().send(url, BODY, {})

    assert outcome.status_code is None
    assert outcome.error


# The memory twin.


def test_memory_sender_records_and_answers_200() -> None:
    sender: WebhookSender = MemoryWebhookSender()

    outcome = sender.send("https://hooks.example.com/a", BODY, {"webhook-id": "msg_1"})

    assert outcome == SendOutcome(status_code=200, error=None, duration_ms=0.0)
    assert isinstance(sender, MemoryWebhookSender)
    [sent] = sender.sent
    assert (sent.url, sent.body, sent.headers) == (
        "https://hooks.example.com/a",
        BODY,
        {"webhook-id": "msg_1"},
    )


def test_memory_sender_plays_its_script_then_200() -> None:
    url = "https://hooks.example.com/a"
    sender = MemoryWebhookSender({url: [500, "connection refused", 302]})

    outcomes = [sender.send(url, BODY, {}) for _ in range(4)]

    assert [o.status_code for o in outcomes] == [500, None, 302, 200]
    assert [o.ok for o in outcomes] == [False, False, False, True]
    assert outcomes[0].error == "receiver answered HTTP 500"
    assert outcomes[1].error == "connection refused"
    assert outcomes[2].error is not None
    assert "redirects are not followed" in outcomes[2].error
    assert sender.send("https://other.example.com/", BODY, {}).ok
    assert len(sender.sent) == 5
