"""The SSRF guard: which addresses an outbound request may reach.

A URL is parsed with httpx (the parser that later builds the request, so the host
checked is the host spoken to), its host is resolved once, every resolved address
is checked, and the caller connects to :attr:`ResolvedTarget.ip` instead of
resolving again, which leaves no DNS-rebinding window between check and connect.

An address is refused when it is not publicly routable (loopback, private,
link-local, carrier-grade NAT, multicast, reserved, unspecified, site-local,
unique-local, cloud metadata, or an IPv6 embedding of such an IPv4 address),
unless the host name or the address is on the allowlist.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx

from mixdown.errors import UrlRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_A = TypeVar("_A", ipaddress.IPv4Address, ipaddress.IPv6Address)

#: Resolves ``(host, port)`` to address strings; raises ``OSError`` when it cannot.
Resolver = Callable[[str, int], Sequence[str]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

_METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Forms inet_aton accepts besides dotted quads: 2130706433, 0x7f.1, 127.1.
_LOOSE_IPV4 = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)
# What a host name (or inet_aton IPv4 form) may contain after IDNA encoding.
_HOST_NAME = re.compile(r"[a-z0-9_.-]+", re.IGNORECASE)
# Characters that mark an allowlist entry as a URL or host:port, not a host name.
_NOT_IN_HOST_NAME = frozenset("/:@[]?# \t")

_IPV4_RULES: tuple[tuple[Callable[[ipaddress.IPv4Address], bool], str], ...] = (
    (lambda ip: ip.is_unspecified, "unspecified"),
    (lambda ip: ip in _THIS_NETWORK, "in 0.0.0.0/8 (this network)"),
    (lambda ip: ip.is_loopback, "loopback"),
    (lambda ip: ip.is_link_local, "link-local"),
    (lambda ip: ip in _CGNAT, "carrier-grade NAT (100.64.0.0/10)"),
    (lambda ip: ip.is_multicast, "multicast"),
    (lambda ip: ip.is_reserved, "reserved"),
    (lambda ip: ip.is_private, "private"),
    (lambda ip: not ip.is_global, "not publicly routable"),
)

# Checked after loopback, unspecified and IPv4 embeddings (see _ipv6_reason).
_IPV6_RULES: tuple[tuple[Callable[[ipaddress.IPv6Address], bool], str], ...] = (
    (lambda ip: ip.is_link_local, "link-local"),
    (lambda ip: ip.is_site_local, "site-local"),
    (lambda ip: ip in _UNIQUE_LOCAL, "unique-local (fc00::/7)"),
    (lambda ip: ip.is_multicast, "multicast"),
    (lambda ip: ip.is_reserved, "reserved"),
    (lambda ip: ip.is_private, "private"),
    (lambda ip: not ip.is_global, "not publicly routable"),
)


@dataclass(frozen=True, kw_only=True)
class ResolvedTarget:
    """A checked URL and the address to connect to."""

    url: str
    scheme: str
    host: str
    """ASCII (IDNA) host without brackets; used for TLS SNI and certificates."""
    netloc: str
    """Host and explicit port as sent in the ``Host`` header."""
    port: int
    ip: str
    """The checked address the connection must go to."""
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with :func:`socket.getaddrinfo`, in the system's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class StaticResolver:
    """In-memory resolver twin: a fixed table of host name to addresses."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.table = {_host_key(host): list(ips) for host, ips in table.items()}
        self.calls: list[str] = []

    def __call__(self, host: str, _port: int) -> list[str]:
        """Look ``host`` up; an unknown host fails like a DNS miss."""
        self.calls.append(host)
        try:
            return self.table[_host_key(host)]
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, f"unknown host {host}") from None


class AddressPolicy:
    """Decides which URLs may be fetched; built from ``url_allowlist``.

    Allowlist entries are host names (``"localhost"``, matched exactly, case
    insensitively) or networks (``"127.0.0.1/32"``, ``"10.0.0.0/8"``, a bare
    address). An invalid entry raises ``ValueError`` at construction.
    """

    def __init__(self, allowlist: Sequence[str] = (), *, resolver: Resolver = system_resolver) -> None:
        self._hosts: set[str] = set()
        self._networks: list[IPNetwork] = []
        for entry in allowlist:
            self._add_entry(entry)
        self._resolver = resolver

    def resolve_and_check(self, url: str, *, field: str = "url") -> ResolvedTarget:
        """Parse, resolve and check ``url``; raise :class:`UrlRefused` naming ``field``."""
        parsed = _parse_url(url, field)
        host = parsed.raw_host.decode("ascii")
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        addresses = self._resolve(host, port, field)
        if _host_key(host) not in self._hosts:
            for address in addresses:
                self._check_address(host, address, field)
        return ResolvedTarget(
            url=str(parsed),
            scheme=parsed.scheme,
            host=host,
            netloc=parsed.netloc.decode("ascii"),
            port=port,
            ip=str(addresses[0]),
            addresses=tuple(str(address) for address in addresses),
        )

    def is_allowlisted(self, address: IPAddress) -> bool:
        """Whether ``address`` (or the IPv4 address it maps) is in an allowlisted network."""
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            candidates.append(address.ipv4_mapped)
        return any(ip in net for ip in candidates for net in self._networks)

    def _add_entry(self, entry: str) -> None:
        text = entry.strip().lower()
        if not text:
            return  # a stray comma in the setting, not a request to allow everything
        try:
            self._networks.append(ipaddress.ip_network(text.strip("[]"), strict=False))
            return
        except ValueError:
            pass
        if _NOT_IN_HOST_NAME.intersection(text):
            raise ValueError(f"allowlist entry {entry!r} is neither a host name nor a network")
        try:
            self._hosts.add(_host_key(httpx.URL(f"http://{text}/").raw_host.decode()))
        except httpx.InvalidURL as exc:
            raise ValueError(f"allowlist entry {entry!r} is not a host name") from exc

    def _resolve(self, host: str, port: int, field: str) -> list[IPAddress]:
        literal = _literal_address(host)
        if literal is not None:
            return [literal]
        try:
            found = [ipaddress.ip_address(ip) for ip in self._resolver(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise UrlRefused(f"could not resolve host {host}", field=field) from exc
        if not found:
            raise UrlRefused(f"host {host} has no addresses", field=field)
        return found

    def _check_address(self, host: str, address: IPAddress, field: str) -> None:
        reason = refusal_reason(address)
        if reason is None or self.is_allowlisted(address):
            return
        if _spelled_out(host, address):
            message = f"address {address} is {reason} and not allowlisted"
        else:
            message = f"{host} resolves to address {address}, which is {reason} and not allowlisted"
        raise UrlRefused(message, field=field)


def refusal_reason(address: IPAddress) -> str | None:
    """Why ``address`` needs an allowlist entry (``"loopback"``), or None if public."""
    if address in _METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv4Address):
        return _first_reason(address, _IPV4_RULES)
    return _ipv6_reason(address)


def _ipv6_reason(address: ipaddress.IPv6Address) -> str | None:
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        kind, ipv4 = embedded
        inner = refusal_reason(ipv4)
        if inner is not None:
            return f"the {kind} form of {ipv4}, which is {inner}"
        if kind != "IPv4-compatible":
            # Traffic to these ends at the public IPv4 address they carry.
            return None
    return _first_reason(address, _IPV6_RULES)


def _embedded_ipv4(
    address: ipaddress.IPv6Address,
) -> tuple[str, ipaddress.IPv4Address] | None:
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64:
        return "NAT64", low32
    if address in _IPV4_COMPATIBLE:
        return "IPv4-compatible", low32
    return None


def _first_reason(address: _A, rules: tuple[tuple[Callable[[_A], bool], str], ...]) -> str | None:
    return next((reason for test, reason in rules if test(address)), None)


def _parse_url(url: str, field: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UrlRefused(f"not a valid URL: {exc}", field=field) from exc
    if not parsed.scheme:
        raise UrlRefused("the URL must be absolute (http:// or https://)", field=field)
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UrlRefused(f"scheme {parsed.scheme!r} is not allowed; use http or https", field=field)
    if not parsed.raw_host:
        raise UrlRefused("the URL has no host", field=field)
    host = parsed.raw_host.decode("ascii")
    if ":" not in host and not _HOST_NAME.fullmatch(host):
        # Leave odd names (percent-escapes, spaces) to no resolver's interpretation.
        raise UrlRefused(f"{host!r} is not a valid host name", field=field)
    if parsed.userinfo:
        # Credentials in a URL are a classic way to disguise the real host.
        raise UrlRefused("URLs with credentials (user@host) are not accepted", field=field)
    return parsed


def _literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells out, including inet_aton's loose IPv4 forms."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not _LOOSE_IPV4.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _spelled_out(host: str, address: IPAddress) -> bool:
    """Whether ``host`` is ``address`` in standard notation (so not worth repeating)."""
    try:
        return ipaddress.ip_address(host) == address
    except ValueError:
        return False


def _host_key(host: str) -> str:
    return host.lower().rstrip(".")
