"""Fetching input files from URLs: the :class:`UrlFetcher` boundary and its twins.

:class:`HttpUrlFetcher` checks every hop with the SSRF guard, connects to the
checked address, follows redirects itself, streams to disk under a size cap and
keeps one deadline for the whole fetch. :class:`MemoryUrlFetcher` serves bytes
from a dict and raises the same errors.
"""

from __future__ import annotations

import email.message
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from mixdown.errors import MixdownError, PayloadTooLarge, UrlRefused
from mixdown.net.pinned import default_ssl_context, display_url, pinned_request, remaining
from mixdown.net.ssrf import AddressPolicy, Resolver, system_resolver

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, kw_only=True)
class FetchedFile:
    """A file fetched to local disk."""

    path: Path
    size_bytes: int
    content_type: str | None
    """Media type without parameters, lower case (``audio/mpeg``)."""
    filename: str | None
    """From ``Content-Disposition``, else the last segment of the URL path."""
    final_url: str


class UrlFetcher(Protocol):
    """Fetches a URL into a local file."""

    def fetch(self, url: str, dest: Path, *, max_bytes: int, field: str = "audio_url") -> FetchedFile:
        """Write the body at ``url`` to ``dest``.

        Raises :class:`UrlRefused` (naming ``field``) when the URL is refused or
        cannot be fetched, :class:`PayloadTooLarge` above ``max_bytes``.
        """
        ...


class HttpUrlFetcher:
    """Fetches over HTTP(S) with the SSRF guard, address pinning and a deadline.

    ``timeout`` covers the whole fetch, redirects included: each hop gets the
    time left as its connect/read timeout and the deadline is checked after
    every chunk, so one stalled read can overrun it by at most that hop's budget.
    ``resolver`` (DNS; :class:`~mixdown.net.ssrf.StaticResolver` in tests) and ``ssl_context``
    (trust store; certifi's by default) are the injectable boundaries.
    """

    def __init__(
        self,
        *,
        timeout: float,
        max_redirects: int,
        allowlist: Sequence[str],
        user_agent: str = "mixdown",
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._timeout = timeout
        self._ssl_context = ssl_context or default_ssl_context()
        self._max_redirects = max_redirects
        self._policy = AddressPolicy(allowlist, resolver=resolver)
        # identity: a compressed body could inflate far past max_bytes per chunk.
        self._headers = {
            "User-Agent": user_agent,
            "Accept": "*/*",
            "Accept-Encoding": "identity",
        }

    def fetch(self, url: str, dest: Path, *, max_bytes: int, field: str = "audio_url") -> FetchedFile:
        """Fetch ``url`` to ``dest``; see :meth:`UrlFetcher.fetch`."""
        deadline = time.monotonic() + self._timeout
        current = url
        for _ in range(self._max_redirects + 1):
            left = remaining(deadline, url=current, timeout=self._timeout, field=field)
            target = self._policy.resolve_and_check(current, field=field)
            with pinned_request(
                target,
                method="GET",
                headers=self._headers,
                timeout=left,
                field=field,
                ssl_context=self._ssl_context,
            ) as response:
                location = response.headers.get("location")
                if response.status_code not in REDIRECT_STATUSES or not location:
                    return self._save(response, target.url, dest, max_bytes, field, deadline)
            current = _next_url(target.url, location, field)
        raise UrlRefused(
            f"{display_url(url)} redirected more than {self._max_redirects} times",
            field=field,
        )

    def _save(
        self,
        response: httpx.Response,
        url: str,
        dest: Path,
        max_bytes: int,
        field: str,
        deadline: float,
    ) -> FetchedFile:
        if not response.is_success:
            raise _status_refusal(url, response.status_code, response.reason_phrase, field)
        declared = _content_length(response)
        if declared is not None and declared > max_bytes:
            raise _too_large(url, max_bytes, field)
        size = self._stream(response, url, dest, max_bytes, field, deadline)
        return FetchedFile(
            path=dest,
            size_bytes=size,
            content_type=_media_type(response.headers.get("content-type")),
            filename=filename_from(response.headers.get("content-disposition"), url),
            final_url=url,
        )

    def _stream(
        self,
        response: httpx.Response,
        url: str,
        dest: Path,
        max_bytes: int,
        field: str,
        deadline: float,
    ) -> int:
        size = 0
        try:
            with dest.open("wb") as out:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(url, max_bytes, field)
                    # Per-read timeouts alone would let a trickling server run forever.
                    remaining(deadline, url=url, timeout=self._timeout, field=field)
                    out.write(chunk)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        return size


class MemoryUrlFetcher:
    """In-memory twin: serves ``url -> bytes | (bytes, content_type) | error``.

    An unknown URL is refused like an HTTP 404; an error value is raised as is.
    Every requested URL is recorded in :attr:`requested`.
    """

    def __init__(
        self,
        responses: Mapping[str, bytes | tuple[bytes, str] | MixdownError] | None = None,
    ) -> None:
        self.responses = dict(responses or {})
        self.requested: list[str] = []

    def fetch(self, url: str, dest: Path, *, max_bytes: int, field: str = "audio_url") -> FetchedFile:
        """Write the canned body for ``url`` to ``dest``; see :meth:`UrlFetcher.fetch`."""
        self.requested.append(url)
        answer = self.responses.get(url)
        if answer is None:
            raise _status_refusal(url, 404, "Not Found", field)
        if isinstance(answer, MixdownError):
            raise answer
        body, content_type = answer if isinstance(answer, tuple) else (answer, None)
        if len(body) > max_bytes:
            raise _too_large(url, max_bytes, field)
        dest.write_bytes(body)
        return FetchedFile(
            path=dest,
            size_bytes=len(body),
            content_type=_media_type(content_type),
            filename=filename_from(None, url),
            final_url=url,
        )


def filename_from(content_disposition: str | None, url: str) -> str | None:
    """A safe base name from ``Content-Disposition``, else from the URL path."""
    if content_disposition:
        message = email.message.Message()
        message["content-disposition"] = content_disposition
        name = _base_name(message.get_filename() or "")
        if name is not None:
            return name
    try:
        return _base_name(httpx.URL(url).path)
    except httpx.InvalidURL:
        return None


def _base_name(name: str) -> str | None:
    # The name is the sender's choice: keep only the last segment, printable.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base if base not in ("", ".", "..") else None


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _next_url(base: str, location: str, field: str) -> str:
    try:
        return str(httpx.URL(base).join(location))
    except httpx.InvalidURL as exc:
        raise UrlRefused(f"{display_url(base)} redirected to an invalid URL", field=field) from exc


def _status_refusal(url: str, status: int, reason: str, field: str) -> UrlRefused:
    return UrlRefused(f"{display_url(url)} answered HTTP {status} {reason}".rstrip(), field=field)


def _too_large(url: str, max_bytes: int, field: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{display_url(url)} is larger than the limit of {max_bytes} bytes",
        field=field,
    )
