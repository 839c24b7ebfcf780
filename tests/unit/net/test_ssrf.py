"""The SSRF guard: what is refused, what the allowlist lets through."""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any

import pytest

from mixdown.errors import UrlRefused
from mixdown.net.ssrf import AddressPolicy, StaticResolver, refusal_reason


def _no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the SSRF guard must not touch the network here")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything resolves a name or opens a connection."""
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket.socket, "connect", _no_network)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/a.wav", "address 127.0.0.1 is loopback and not allowlisted"),
        ("http://127.8.9.10:8080/", "is loopback"),
        ("http://[::1]/", "address ::1 is loopback"),
        ("http://10.1.2.3/", "address 10.1.2.3 is private"),
        ("http://172.16.0.1/", "is private"),
        ("http://172.31.255.254/", "is private"),
        ("http://192.168.1.1/", "is private"),
        ("http://169.254.169.254/latest/meta-data/", "is a cloud metadata address"),
        ("http://169.254.1.1/", "is link-local"),
        ("http://100.64.0.1/", "is carrier-grade NAT"),
        ("http://100.127.255.254/", "is carrier-grade NAT"),
        ("http://0.0.0.0/", "address 0.0.0.0 is unspecified"),
        ("http://0.1.2.3/", "is in 0.0.0.0/8"),
        ("http://224.0.0.1/", "is multicast"),
        ("http://240.0.0.1/", "is reserved"),
        ("http://255.255.255.255/", "not allowlisted"),
        ("http://[::]/", "is unspecified"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1, which is loopback"),
        ("http://[::ffff:10.0.0.1]/", "IPv4-mapped form of 10.0.0.1, which is private"),
        ("http://[::127.0.0.1]/", "IPv4-compatible form of 127.0.0.1"),
        ("http://[2002:7f00:1::]/", "6to4 form of 127.0.0.1, which is loopback"),
        ("http://[2002:a9fe:a9fe::]/", "6to4 form of 169.254.169.254"),
        ("http://[64:ff9b::a00:1]/", "NAT64 form of 10.0.0.1, which is private"),
        ("http://[fd00:ec2::254]/", "is a cloud metadata address"),
        ("http://[fc00::1]/", "is unique-local"),
        ("http://[fd12:3456::1]/", "is unique-local"),
        ("http://[fe80::1]/", "is link-local"),
        ("http://[fec0::1]/", "is site-local"),
        ("http://[ff02::1]/", "is multicast"),
        ("http://[2001:db8::1]/", "not allowlisted"),
        # inet_aton forms: the resolved address is what is checked.
        ("http://2130706433/", "resolves to address 127.0.0.1, which is loopback"),
        ("http://0x7f.1/", "resolves to address 127.0.0.1, which is loopback"),
        ("http://0x7f000001/", "resolves to address 127.0.0.1"),
        ("http://127.1/", "resolves to address 127.0.0.1"),
        ("http://3232235777/", "resolves to address 192.168.1.1, which is private"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254, which is a cloud metadata"),
        ("http://0177.0.0.1/", "not a valid URL"),
    ],
)
def test_refuses_non_public_addresses(url: str, reason: str) -> None:
    # Given a policy without allowlist
    policy = AddressPolicy()

    # When / Then
    with pytest.raises(UrlRefused, match=re.escape(reason)) as caught:
        policy.resolve_and_check(url, field="audio_url")
    assert caught.value.field == "audio_url"


def test_refuses_localhost_by_name() -> None:
    with pytest.raises(UrlRefused, match=r"localhost resolves to address .* loopback"):
        AddressPolicy().resolve_and_check("http://localhost:8000/x", field="audio_url")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/a.wav", "scheme 'ftp' is not allowed"),
        ("file:///etc/passwd", "scheme 'file' is not allowed"),
        ("gopher://example.com/", "scheme 'gopher' is not allowed"),
        ("//example.com/a.wav", "must be absolute"),
        ("example.com/a.wav", "must be absolute"),
        ("http:///a.wav", "has no host"),
        ("http://:80/a.wav", "has no host"),
        ("http://user:pw@93.184.216.34/", "credentials"),
        ("http://127.0.0.1:80@93.184.216.34/", "credentials"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://a%2Fb.example.com/", "not a valid host name"),
    ],
)
def test_refuses_malformed_urls(url: str, reason: str, offline: None) -> None:
    with pytest.raises(UrlRefused, match=re.escape(reason)) as caught:
        AddressPolicy().resolve_and_check(url, field="webhook_url")
    assert caught.value.field == "webhook_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/song.mp3",
        "https://93.184.216.34:8443/song.mp3?sig=abc",
        "http://[2606:2800:220:1:248:1893:25c8:1946]/",
        "http://[::ffff:93.184.216.34]/",
        "http://[64:ff9b::5db8:d822]/",
        "http://[2002:5db8:d822::1]/",
    ],
)
def test_allows_public_literals_without_network(url: str, offline: None) -> None:
    # Given a policy whose resolver must not be asked about literal addresses
    resolver = StaticResolver({})
    policy = AddressPolicy(resolver=resolver)

    # When
    target = policy.resolve_and_check(url)

    # Then the literal itself is the pinned address
    assert ipaddress.ip_address(target.ip) == ipaddress.ip_address(target.host)
    assert resolver.calls == []


def test_target_pins_first_resolved_address_and_keeps_host() -> None:
    resolver = StaticResolver({"cdn.example.com": ["93.184.216.34", "93.184.216.35"]})
    policy = AddressPolicy(resolver=resolver)

    target = policy.resolve_and_check("https://CDN.example.com:8443/a.wav?x=1")

    assert target.ip == "93.184.216.34"
    assert target.addresses == ("93.184.216.34", "93.184.216.35")
    assert target.host == "cdn.example.com"
    assert target.netloc == "cdn.example.com:8443"
    assert target.port == 8443
    assert target.scheme == "https"
    assert target.url == "https://cdn.example.com:8443/a.wav?x=1"


def test_default_ports() -> None:
    policy = AddressPolicy()
    assert policy.resolve_and_check("http://93.184.216.34/").port == 80
    assert policy.resolve_and_check("https://93.184.216.34/").port == 443


def test_refuses_when_any_resolved_address_is_private() -> None:
    # Given a name with one public and one private address (a rebinding favourite)
    resolver = StaticResolver({"mixed.example.com": ["93.184.216.34", "10.0.0.1"]})

    with pytest.raises(UrlRefused, match=re.escape("10.0.0.1, which is private")):
        AddressPolicy(resolver=resolver).resolve_and_check("http://mixed.example.com/")


def test_unresolvable_host_is_refused() -> None:
    policy = AddressPolicy(resolver=StaticResolver({}))

    with pytest.raises(UrlRefused, match=re.escape("could not resolve host nowhere.invalid")):
        policy.resolve_and_check("http://nowhere.invalid/", field="audio_url")


def test_allowlisted_network_allows_its_addresses() -> None:
    policy = AddressPolicy(["127.0.0.1/32", "10.0.0.0/8"])

    assert policy.resolve_and_check("http://127.0.0.1:9000/a").ip == "127.0.0.1"
    assert policy.resolve_and_check("http://10.20.30.40/").ip == "10.20.30.40"
    # An IPv4-mapped address is allowed by the IPv4 network it maps to.
    assert policy.resolve_and_check("http://[::ffff:127.0.0.1]/").ip == "::ffff:7f00:1"
    with pytest.raises(UrlRefused, match=re.escape("127.0.0.2 is loopback")):
        policy.resolve_and_check("http://127.0.0.2/")


def test_allowlisted_bare_address_is_a_single_host_network() -> None:
    policy = AddressPolicy(["192.168.1.5", "[::1]"])

    assert policy.resolve_and_check("http://192.168.1.5/").ip == "192.168.1.5"
    assert policy.resolve_and_check("http://[::1]/").ip == "::1"
    with pytest.raises(UrlRefused):
        policy.resolve_and_check("http://192.168.1.6/")


def test_allowlisted_host_name_allows_whatever_it_resolves_to() -> None:
    resolver = StaticResolver({"media.internal": ["10.0.0.7"], "other.internal": ["10.0.0.8"]})
    policy = AddressPolicy(["Media.Internal."], resolver=resolver)

    assert policy.resolve_and_check("http://media.internal/a.wav").ip == "10.0.0.7"
    assert policy.resolve_and_check("http://MEDIA.internal./a.wav").ip == "10.0.0.7"
    with pytest.raises(UrlRefused, match=re.escape("other.internal resolves to address 10.0.0.8")):
        policy.resolve_and_check("http://other.internal/a.wav")


def test_allowlisted_localhost() -> None:
    resolver = StaticResolver({"localhost": ["127.0.0.1", "::1"]})
    policy = AddressPolicy(["localhost"], resolver=resolver)

    assert policy.resolve_and_check("http://localhost:8000/").ip == "127.0.0.1"


@pytest.mark.parametrize("entry", ["http://example.com/", "localhost:8000", "a b", "x@y"])
def test_invalid_allowlist_entry_fails_early(entry: str) -> None:
    with pytest.raises(ValueError, match="allowlist entry"):
        AddressPolicy([entry])


def test_blank_allowlist_entries_are_ignored() -> None:
    with pytest.raises(UrlRefused):
        AddressPolicy(["", "  "]).resolve_and_check("http://127.0.0.1/")


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_have_no_refusal_reason(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None
