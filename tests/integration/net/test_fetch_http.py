"""HttpUrlFetcher against a real HTTP(S) server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import re
import shutil
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mixdown.errors import PayloadTooLarge, UrlRefused
from mixdown.net.fetch import HttpUrlFetcher
from mixdown.net.ssrf import StaticResolver

AUDIO = b"RIFF" + bytes(range(256)) * 4
LOOPBACK = ["127.0.0.1/32"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str]] = []
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hang up on purpose here (size caps, deadlines, short reads).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        route = self.path.split("?", 1)[0]
        with contextlib.suppress(OSError):  # the client gave up (size cap, deadline)
            self._route(route)

    def _route(self, route: str) -> None:
        port = self.server.port
        if route == "/audio.wav":
            self._send(200, AUDIO, {"Content-Type": "audio/wav; rate=44100"})
        elif route == "/named":
            self._send(200, AUDIO, {"Content-Disposition": 'attachment; filename="take 2.wav"'})
        elif route == "/big":
            self._send(200, b"x" * 5000)
        elif route == "/chunked-big":
            self._chunked([b"x" * 500] * 10)
        elif route == "/chunked-small":
            self._chunked([b"a" * 100] * 3)
        elif route.startswith("/redirect/"):
            left = int(route.rsplit("/", 1)[1])
            target = f"/redirect/{left - 1}" if left > 1 else "/audio.wav"
            self._send(302, b"", {"Location": target})
        elif route == "/to-private":
            self._send(302, b"", {"Location": "http://10.0.0.1/audio.wav"})
        elif route == "/to-loopback-literal":
            self._send(307, b"", {"Location": f"http://127.0.0.1:{port}/audio.wav"})
        elif route == "/trickle":
            self._trickle()
        elif route == "/hang":
            self.server.stopping.wait(10)
        else:
            self._send(404, b"no such file")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _chunked(self, chunks: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def _trickle(self) -> None:
        # Each byte arrives well within a per-read timeout; only a deadline stops it.
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            self.wfile.write(b"x")
            self.wfile.flush()
            if self.server.stopping.wait(0.1):
                return


@contextmanager
def _serve(context: ssl.SSLContext | None = None) -> Iterator[_Server]:
    server = _Server()
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def server() -> Iterator[_Server]:
    with _serve() as running:
        yield running


def _fetcher(allowlist: list[str], **options: object) -> HttpUrlFetcher:
    settings: dict[str, object] = {"timeout": 5.0, "max_redirects": 3, **options}
    return HttpUrlFetcher(allowlist=allowlist, **settings)  # type: ignore[arg-type]


@pytest.mark.timeout(30)
def test_loopback_is_refused_by_default(server: _Server, tmp_path: Path) -> None:
    # Given a fetcher without allowlist
    fetcher = _fetcher([])

    # When / Then
    with pytest.raises(UrlRefused, match=re.escape("127.0.0.1 is loopback and not allowlisted")):
        fetcher.fetch(f"http://127.0.0.1:{server.port}/audio.wav", tmp_path / "in", max_bytes=10_000)
    assert server.requests == []


@pytest.mark.timeout(30)
def test_allowlisted_loopback_is_fetched(server: _Server, tmp_path: Path) -> None:
    # Given
    fetcher = _fetcher(LOOPBACK)
    dest = tmp_path / "in"

    # When
    fetched = fetcher.fetch(f"http://127.0.0.1:{server.port}/audio.wav?sig=1", dest, max_bytes=10_000)

    # Then
    assert dest.read_bytes() == AUDIO
    assert fetched.size_bytes == len(AUDIO)
    assert fetched.content_type == "audio/wav"
    assert fetched.filename == "audio.wav"
    assert fetched.final_url == f"http://127.0.0.1:{server.port}/audio.wav?sig=1"
    assert server.requests == [("/audio.wav?sig=1", f"127.0.0.1:{server.port}")]


@pytest.mark.timeout(30)
def test_filename_from_content_disposition(server: _Server, tmp_path: Path) -> None:
    fetched = _fetcher(LOOPBACK).fetch(
        f"http://127.0.0.1:{server.port}/named", tmp_path / "in", max_bytes=10_000
    )

    assert fetched.filename == "take 2.wav"


@pytest.mark.timeout(30)
def test_content_length_above_cap_is_refused(server: _Server, tmp_path: Path) -> None:
    dest = tmp_path / "in"

    with pytest.raises(PayloadTooLarge, match="limit of 1000 bytes") as caught:
        _fetcher(LOOPBACK).fetch(f"http://127.0.0.1:{server.port}/big", dest, max_bytes=1000)

    assert caught.value.status_code == 413
    assert not dest.exists()


@pytest.mark.timeout(30)
def test_chunked_body_above_cap_is_aborted(server: _Server, tmp_path: Path) -> None:
    dest = tmp_path / "in"

    with pytest.raises(PayloadTooLarge, match="limit of 1000 bytes"):
        _fetcher(LOOPBACK).fetch(f"http://127.0.0.1:{server.port}/chunked-big", dest, max_bytes=1000)

    assert not dest.exists()


@pytest.mark.timeout(30)
def test_chunked_body_within_cap_is_fetched(server: _Server, tmp_path: Path) -> None:
    fetched = _fetcher(LOOPBACK).fetch(
        f"http://127.0.0.1:{server.port}/chunked-small", tmp_path / "in", max_bytes=300
    )

    assert fetched.size_bytes == 300
    assert fetched.content_type is None


@pytest.mark.timeout(30)
def test_redirects_are_followed_up_to_the_limit(server: _Server, tmp_path: Path) -> None:
    fetcher = _fetcher(LOOPBACK, max_redirects=2)

    fetched = fetcher.fetch(f"http://127.0.0.1:{server.port}/redirect/2", tmp_path / "in", max_bytes=10_000)

    assert fetched.final_url == f"http://127.0.0.1:{server.port}/audio.wav"
    assert fetched.size_bytes == len(AUDIO)
    assert [path for path, _ in server.requests] == ["/redirect/2", "/redirect/1", "/audio.wav"]


@pytest.mark.timeout(30)
def test_too_many_redirects_are_refused(server: _Server, tmp_path: Path) -> None:
    fetcher = _fetcher(LOOPBACK, max_redirects=2)

    with pytest.raises(UrlRefused, match="redirected more than 2 times"):
        fetcher.fetch(f"http://127.0.0.1:{server.port}/redirect/3", tmp_path / "in", max_bytes=10_000)

    assert len(server.requests) == 3


@pytest.mark.timeout(30)
def test_no_redirects_allowed(server: _Server, tmp_path: Path) -> None:
    with pytest.raises(UrlRefused, match="redirected more than 0 times"):
        _fetcher(LOOPBACK, max_redirects=0).fetch(
            f"http://127.0.0.1:{server.port}/redirect/1", tmp_path / "in", max_bytes=10_000
        )


@pytest.mark.timeout(30)
def test_redirect_to_private_address_is_refused(server: _Server, tmp_path: Path) -> None:
    # Given the first hop is allowlisted, the redirect target is not
    fetcher = _fetcher(LOOPBACK)

    with pytest.raises(UrlRefused, match=re.escape("10.0.0.1 is private and not allowlisted")) as caught:
        fetcher.fetch(f"http://127.0.0.1:{server.port}/to-private", tmp_path / "in", max_bytes=10_000)

    assert caught.value.field == "audio_url"


@pytest.mark.timeout(30)
def test_redirect_from_allowlisted_host_name_is_rechecked(server: _Server, tmp_path: Path) -> None:
    # Given only the host name media.test is allowlisted; it resolves to loopback
    resolver = StaticResolver({"media.test": ["127.0.0.1"]})
    fetcher = _fetcher(["media.test"], resolver=resolver)
    url = f"http://media.test:{server.port}"

    # When the pinned first hop works and speaks to the host name...
    assert fetcher.fetch(f"{url}/audio.wav", tmp_path / "a", max_bytes=10_000).size_bytes == len(AUDIO)
    assert server.requests[-1] == ("/audio.wav", f"media.test:{server.port}")

    # ...a redirect to the bare loopback address is refused.
    with pytest.raises(UrlRefused, match=re.escape("127.0.0.1 is loopback and not allowlisted")):
        fetcher.fetch(f"{url}/to-loopback-literal", tmp_path / "b", max_bytes=10_000)
    assert server.requests[-1][0] == "/to-loopback-literal"


@pytest.mark.timeout(30)
def test_falls_back_to_the_next_checked_address(server: _Server, tmp_path: Path) -> None:
    # Given a name whose first address refuses connections (nothing listens on ::1)
    resolver = StaticResolver({"media.test": ["::1", "127.0.0.1"]})
    fetcher = _fetcher(["media.test"], resolver=resolver)

    fetched = fetcher.fetch(f"http://media.test:{server.port}/audio.wav", tmp_path / "in", max_bytes=10_000)

    assert fetched.size_bytes == len(AUDIO)
    assert server.requests == [("/audio.wav", f"media.test:{server.port}")]


@pytest.mark.timeout(30)
def test_trickling_server_hits_the_overall_deadline(server: _Server, tmp_path: Path) -> None:
    fetcher = _fetcher(LOOPBACK, timeout=1.0)
    dest = tmp_path / "in"
    started = time.monotonic()

    with pytest.raises(UrlRefused, match="timed out"):
        fetcher.fetch(f"http://127.0.0.1:{server.port}/trickle", dest, max_bytes=10_000)

    assert time.monotonic() - started < 3.0
    assert not dest.exists()


@pytest.mark.timeout(30)
def test_silent_server_times_out(server: _Server, tmp_path: Path) -> None:
    started = time.monotonic()

    with pytest.raises(UrlRefused, match="timed out"):
        _fetcher(LOOPBACK, timeout=0.5).fetch(
            f"http://127.0.0.1:{server.port}/hang", tmp_path / "in", max_bytes=10_000
        )

    assert time.monotonic() - started < 3.0


@pytest.mark.timeout(30)
def test_http_error_status_is_refused(server: _Server, tmp_path: Path) -> None:
    with pytest.raises(UrlRefused, match="answered HTTP 404 Not Found") as caught:
        _fetcher(LOOPBACK).fetch(
            f"http://127.0.0.1:{server.port}/missing.wav?token=secret", tmp_path / "in", max_bytes=10_000
        )

    assert "secret" not in caught.value.message
    assert not (tmp_path / "in").exists()


@pytest.mark.timeout(30)
def test_connection_refused_is_refused(tmp_path: Path) -> None:
    port = _closed_port()

    with pytest.raises(UrlRefused, match="could not connect to"):
        _fetcher(LOOPBACK).fetch(f"http://127.0.0.1:{port}/a.wav", tmp_path / "in", max_bytes=10_000)


def _closed_port() -> int:
    with _serve() as probe:
        return probe.port


# https: the connection goes to the pinned IP, SNI and certificate use the name.


@dataclass(frozen=True)
class _Pki:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> _Pki:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    folder = tmp_path_factory.mktemp("pki")
    _make_certificates(folder)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "leaf.pem", folder / "leaf.key")
    client = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    return _Pki(server=server, client=client)


def _make_certificates(folder: Path) -> None:
    (folder / "leaf.ext").write_text(
        "subjectAltName=DNS:media.test\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    commands = [
        ["req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
         "-subj", "/CN=mixdown test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign"],
        ["req", *curve, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=media.test"],
        ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext"],
    ]  # fmt: skip
    for command in commands:
        subprocess.run(["openssl", *command], cwd=folder, check=True, capture_output=True)


@pytest.mark.timeout(30)
def test_https_uses_host_name_for_sni_and_certificate(pki: _Pki, tmp_path: Path) -> None:
    # Given a certificate for media.test only, served on 127.0.0.1
    resolver = StaticResolver({"media.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    fetcher = _fetcher(["media.test", "other.test"], resolver=resolver, ssl_context=pki.client)
    with _serve(pki.server) as server:
        # When the name matches the certificate, the pinned connection verifies
        fetched = fetcher.fetch(
            f"https://media.test:{server.port}/audio.wav", tmp_path / "a", max_bytes=10_000
        )
        assert fetched.size_bytes == len(AUDIO)
        assert server.requests == [("/audio.wav", f"media.test:{server.port}")]

        # When another name points at the same address, verification fails
        with pytest.raises(UrlRefused, match=re.escape("could not connect to https://other.test")):
            fetcher.fetch(f"https://other.test:{server.port}/audio.wav", tmp_path / "b", max_bytes=10_000)
        assert len(server.requests) == 1
