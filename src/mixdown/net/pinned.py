"""Address-pinned HTTP: dial the checked IP, speak to the host name.

The request URL carries a checked address (:attr:`ResolvedTarget.ip` first), so
httpx connects there without resolving the name again; the ``Host`` header carries
the original host and, for
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
    """Send one request to a checked address of ``target`` and yield the response.

    The body is still streaming. ``target.ip`` is tried first, then the other
    checked addresses if the connection is refused or unreachable.

    ``timeout`` bounds each connect, read and write; ``ssl_context`` holds the
    trust store for https (:func:`default_ssl_context`). Redirects are never followed.
    An httpx error, including one raised while the caller reads the body inside
    the ``with`` block, leaves as :class:`UrlRefused` naming ``field``.
    """
    # A fresh client per request: its pool is keyed by the IP dialled, so a shared
    # pool could hand a connection TLS-verified for one host to another host.
    # trust_env=False: an environment proxy would make the pinned address moot.
    with httpx.Client(verify=ssl_context, trust_env=False, follow_redirects=False) as client:
        try:
            response = _send_to_first_reachable(
                client, target, method=method, headers=headers, timeout=timeout, content=content
            )
            try:
                yield response
            finally:
                response.close()
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise _refusal(exc, target, field) from exc


def _send_to_first_reachable(
    client: httpx.Client,
    target: ResolvedTarget,
    *,
    method: str,
    headers: Mapping[str, str],
    timeout: float,
    content: bytes | None,
) -> httpx.Response:
    """Try the checked addresses in resolver order; a refused connection moves on.

    Every address was checked, so falling back is safe; it matters when a name
    has an AAAA record on a host without IPv6 connectivity.
    """
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    sent_headers = {name: value for name, value in headers.items() if name.lower() != "host"}
    sent_headers["Host"] = target.netloc
    for index, ip in enumerate(target.addresses):
        request = client.build_request(
            method,
            httpx.URL(target.url).copy_with(host=ip),
            headers=sent_headers,
            content=content,
            timeout=timeout,
            extensions=extensions,
        )
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError:
            if index == len(target.addresses) - 1:
                raise
    raise httpx.ConnectError(f"{target.host} has no addresses")


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
