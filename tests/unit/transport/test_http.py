"""URL and address checks of the outbound client (security.md C: F1, F4), without any network."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest

from fedi.transport.http import (
    AddressPolicy,
    FetchError,
    HttpResponse,
    check_url,
    is_forbidden_address,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "100.127.255.255",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "0.1.2.3",
        "255.255.255.255",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "192.0.0.8",
        "192.0.2.1",
        "198.51.100.1",
        "203.0.113.1",
        "198.18.0.1",
        "198.19.255.255",
        "192.88.99.1",
        "::",
        "::1",
        "fe80::1",
        "febf::1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",  # site-local
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "::8.8.8.8",
        "64:ff9b::7f00:1",  # NAT64 well-known prefix
        "64:ff9b::a00:1",
        "64:ff9b:1::808:808",  # NAT64 local use
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "2001:0:a00:1::1",  # Teredo, server 10.0.0.1
        "2001:db8::1",
        "3fff::1",
        "2001:2::1",  # benchmarking, inside 2001::/23
        "100::1",  # discard
        "4000::1",  # outside 2000::/3
        "e000::1",
    ],
)
def test_non_public_addresses_are_forbidden(address: str) -> None:
    assert is_forbidden_address(ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.215.14",
        "100.63.255.255",
        "100.128.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.169.0.1",
        "2606:4700:4700::1111",
        "2a01:4f8::1",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo, server 65.54.227.120, client 8.8.8.8
    ],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_forbidden_address(ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",  # decimal
        "http://017700000001/",  # octal
        "http://0177.0.0.1/",
        "http://0x7f.1/",  # hex
        "http://0x7f000001/",
        "http://127.1/",
        "http://127.0.1/",
        "http://0/",
        "http://0x0a.0.0.1/",
        "http://3232235777/",  # 192.168.1.1
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:127.0.0.1]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::127.0.0.1]/",
        "http://[2002:7f00:1::]/",
        "http://[fe80::1]/",
        "http://[fe80::1%25eth0]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127\u30020\u30020\u30021/",  # ideographic full stops fold to dots
        "https://10.0.0.1:8443/inbox",
    ],
)
def test_internal_addresses_are_refused_in_every_notation(url: str) -> None:
    with pytest.raises(FetchError) as refused:
        check_url(url)
    assert refused.value.retryable is False


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://example.org/_x",
        "data:text/plain,hello",
        "ftp://example.org/x",
        "javascript:alert(1)",
        "//example.org/relative",
        "/users/alice",
        "http://example.org/a\r\nHost: evil.test",
        "http://example.org/\nx",
        "http://example.org\r\n/",
        "http://a%0d%0ab.example.org/",
        "http://example.org%0d%0a/",
        "http://exa mple.org/",
        "http://example.org/a b",
        "http://example.org/\x00",
        "http://example.org/\x7f",
        "http://example.org/\x85",
        "http://example.org/\t",
        "http://user@example.org/",
        "http://user:secret@example.org/",
        "http://@example.org/",
        "http://example.org@127.0.0.1/",
        "http:///path",
        "http://",
        "http://:80/",
        "http://example.org:0/",
        "http://example.org:99999/",
        "http://example.org\\@evil.test/",
        "http://exa!mple.org/",
        "http://example..org/",
        "http://-example.org/",
        "http://example.123/",
        "http://1.2.3.4.5/",
        "http://256.0.0.1/",
        "http://09.0.0.1/",
        "http://[::1/",
        "http://[zz::1]/",
        "https://example.org/" + "a" * 2048,
    ],
)
def test_malformed_urls_are_rejected_before_any_request(url: str) -> None:
    with pytest.raises(FetchError) as rejected:
        check_url(url)
    assert rejected.value.retryable is False


@pytest.mark.parametrize(
    ("url", "checked"),
    [
        ("https://example.org/users/alice", "https://example.org/users/alice"),
        ("HTTPS://Example.ORG/users/alice", "https://example.org/users/alice"),
        ("http://example.org:8080/inbox?page=2", "http://example.org:8080/inbox?page=2"),
        ("https://social.example.org./@bob", "https://social.example.org./@bob"),
        ("https://b\u00fccher.example/users/x", "https://xn--bcher-kva.example/users/x"),
        ("https://8.8.8.8/actor", "https://8.8.8.8/actor"),
        ("https://[2606:4700::1111]/actor", "https://[2606:4700::1111]/actor"),
        ("https://my_host.example.org/x", "https://my_host.example.org/x"),
        ("https://example.org/%7Ealice#main-key", "https://example.org/~alice#main-key"),
    ],
)
def test_public_urls_pass_and_come_back_normalised(url: str, checked: str) -> None:
    assert check_url(url) == checked


def test_url_of_exactly_the_length_limit_passes() -> None:
    url = "https://example.org/"
    url += "a" * (2048 - len(url))
    assert check_url(url) == url


def test_allowing_private_networks_turns_the_address_check_off() -> None:
    open_policy = AddressPolicy(allow_private_networks=True)
    assert check_url("http://127.0.0.1:8000/", policy=open_policy) == "http://127.0.0.1:8000/"
    assert check_url("http://[::1]/", policy=open_policy) == "http://[::1]/"


def test_allowing_private_networks_keeps_the_syntax_checks() -> None:
    open_policy = AddressPolicy(allow_private_networks=True)
    for url in ("file:///etc/passwd", "http://0x7f.1/", "http://a@127.0.0.1/", "http://x/\r\n"):
        with pytest.raises(FetchError):
            check_url(url, policy=open_policy)


def test_allowed_networks_open_only_the_listed_range() -> None:
    policy = AddressPolicy(allowed_networks=(ip_network("127.0.0.1/32"),))
    assert not policy.forbids(IPv4Address("127.0.0.1"))
    assert policy.forbids(IPv4Address("127.0.0.2"))
    assert policy.forbids(IPv6Address("::ffff:127.0.0.1"))
    assert policy.forbids(IPv4Address("10.0.0.1"))
    assert not policy.forbids(IPv4Address("8.8.8.8"))


def test_allowed_ipv6_network_does_not_match_an_ipv4_address_with_the_same_bits() -> None:
    policy = AddressPolicy(allowed_networks=(ip_network("::/96"),))
    assert policy.forbids(IPv4Address("127.0.0.1"))


WORTH_RETRYING = [500, 502, 503, 429, 408, 302]
FINAL = [400, 401, 403, 404, 410, 422]


@pytest.mark.parametrize(
    ("status", "retryable"),
    [*((status, True) for status in WORTH_RETRYING), *((status, False) for status in FINAL)],
)
def test_error_statuses_say_whether_a_retry_may_help(status: int, retryable: bool) -> None:
    response = HttpResponse("https://example.org/inbox", status, {}, b"")
    with pytest.raises(FetchError) as failed:
        response.raise_for_status()
    assert failed.value.retryable is retryable
    assert str(status) in str(failed.value)


def test_success_statuses_pass() -> None:
    for status in (200, 201, 202, 204):
        HttpResponse("https://example.org/inbox", status, {}, b"").raise_for_status()
