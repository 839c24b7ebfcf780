"""Address-pinned HTTP: dial the checked IP, speak to the host name.

The request URL carries :attr:`ResolvedTarget.ip`, so httpx connects there without
resolving the name again; the ``Host`` header carries the original host and, for
https, the ``sni_hostname`` request extension makes httpcore send the host name as
TLS SNI and verify the certificate against it (``ssl`` checks the certificate
against ``server_hostname``, which httpcore takes from that extension).

This is the one place where httpx exceptions are turned into :class:`UrlRefused`.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx

from mixdown.errors import UrlRefused
from mixdown.net.ssrf import ResolvedTarget


@contextmanager
def pinned_request(
    target: ResolvedTarget,
    *,
    method: str,
    headers: Mapping[str, str],
    timeout: float,
    field: str,
    ssl_context: ssl.SSLContext,
    content: bytes | None = None,
) -> Iterator[httpx.Response]:
    """Send one request to ``target.ip`` and yield the response, body still streaming.

    ``timeout`` bounds each connect, read and write; ``ssl_context`` holds the
    trust store for https (:func:`default_ssl_context`). Redirects are never followed.
    An httpx error, including one raised while the caller reads the body inside
    the ``with`` block, leaves as :class:`UrlRefused` naming ``field``.
    """
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    # A fresh client per request: its pool is keyed by the IP dialled, so a shared
    # pool could hand a connection TLS-verified for one host to another host.
    # trust_env=False: an environment proxy would make the pinned address moot.
    with httpx.Client(verify=ssl_context, trust_env=False, follow_redirects=False) as client:
        try:
            request = client.build_request(
                method,
                httpx.URL(target.url).copy_with(host=target.ip),
                headers={**headers, "Host": target.netloc},
                content=content,
                timeout=timeout,
                extensions=extensions,
            )
            response = client.send(request, stream=True)
            try:
                yield response
            finally:
                response.close()
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise _refusal(exc, target, field) from exc


def default_ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CA bundle, hostname checking on)."""
    return httpx.create_ssl_context()


def display_url(url: str) -> str:
    """``url`` without credentials, query or fragment, which may hold secrets."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "the URL"
    if not parsed.scheme or not parsed.raw_host:
        return "the URL"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{parsed.path}"


def remaining(deadline: float, *, url: str, timeout: float, field: str) -> float:
    """Seconds left before ``deadline`` (``time.monotonic``); refuse once none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise UrlRefused(f"{display_url(url)} timed out after {timeout:g} s", field=field)
    return left


def _refusal(exc: Exception, target: ResolvedTarget, field: str) -> UrlRefused:
    where = display_url(target.url)
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return UrlRefused(f"{where} timed out", field=field)
    if isinstance(exc, httpx.ConnectError):
        return UrlRefused(f"could not connect to {where}: {detail}", field=field)
    return UrlRefused(f"request to {where} failed: {detail}", field=field)
