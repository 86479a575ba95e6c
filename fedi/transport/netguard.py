"""Which URLs and addresses an outbound fetch may reach: the pure half of the SSRF guard.

`fedi.transport.http` applies these checks before each request and again to every address it
connects to.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from yarl import URL

MAX_URL_LENGTH = 2048
SCHEMES = frozenset({"http", "https"})

# Our own lists rather than `ipaddress.is_global`: before CVE-2024-4032 (fixed in 3.11.10) Python
# classified several of these ranges wrongly, and `is_global` still says True for multicast and
# NAT64. Ranges follow the IANA special-purpose registries, as GoToSocial's netutil/validate.go.
_IPV4_BLOCKED = tuple(
    IPv4Network(cidr)
    for cidr in (
        "0.0.0.0/8",  # "this" network, includes the unspecified address
        "10.0.0.0/8",  # private, RFC 1918
        "100.64.0.0/10",  # carrier-grade NAT, RFC 6598
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata services live here
        "172.16.0.0/12",  # private, RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments, RFC 6890
        "192.0.2.0/24",  # documentation, TEST-NET-1
        "192.31.196.0/24",  # AS112, RFC 7535
        "192.52.193.0/24",  # AMT, RFC 7450
        "192.88.99.0/24",  # 6to4 relay anycast, RFC 7526
        "192.168.0.0/16",  # private, RFC 1918
        "192.175.48.0/24",  # AS112 direct delegation, RFC 7534
        "198.18.0.0/15",  # benchmarking, RFC 2544
        "198.51.100.0/24",  # documentation, TEST-NET-2
        "203.0.113.0/24",  # documentation, TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast 255.255.255.255
    )
)
# IPv6 is allowed only inside global unicast 2000::/3; that alone shuts out ::, ::1, IPv4-compatible
# ::/96, discard 100::/64, NAT64 local-use 64:ff9b:1::/48, fc00::/7, fe80::/10, fec0::/10, ff00::/8.
_IPV6_GLOBAL_UNICAST = IPv6Network("2000::/3")
_IPV6_BLOCKED = tuple(
    IPv6Network(cidr)
    for cidr in (
        "2001::/23",  # IETF protocol assignments, RFC 2928 (Teredo inside it is unwrapped first)
        "2001:db8::/32",  # documentation
        "2620:4f:8000::/48",  # AS112 direct delegation, RFC 7534
        "3fff::/20",  # documentation, RFC 9637
    )
)
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4 target

# WHATWG URL host parsing: a host whose last label is a number is an IPv4 address, and each part
# may be decimal, octal (leading 0) or hex (0x), with fewer than four parts (inet_aton rules).
_NUMBER = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)$")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


class FetchError(Exception):
    """An outbound request failed or was refused; the message is fit for logs and error columns.

    `retryable` tells a delivery worker whether trying again later may succeed.
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def is_forbidden_address(ip: IPv4Address | IPv6Address) -> bool:
    """True for every address an outbound fetch must never connect to."""
    if isinstance(ip, IPv4Address):
        return any(ip in network for network in _IPV4_BLOCKED)
    embedded = _embedded_ipv4(ip)
    if embedded:
        # The packet ends up at the embedded IPv4 address (directly, through a NAT64 gateway or a
        # tunnel relay), so that address decides: `[::ffff:127.0.0.1]` is loopback (security.md F1).
        return any(is_forbidden_address(v4) for v4 in embedded)
    if ip not in _IPV6_GLOBAL_UNICAST:
        return True
    return any(ip in network for network in _IPV6_BLOCKED)


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses one client may reach: public ones, plus any an operator lists explicitly.

    `allow_private_networks` turns the check off (tests and closed local networks only);
    `allowed_networks` opens just the ranges listed, like GoToSocial's http-client allow-ips.
    """

    allow_private_networks: bool = False
    allowed_networks: tuple[IPv4Network | IPv6Network, ...] = ()

    def forbids(self, ip: IPv4Address | IPv6Address) -> bool:
        if self.allow_private_networks:
            return False
        # Compare within one IP version only: `ip in network` across versions compares raw ints.
        if any(ip.version == net.version and ip in net for net in self.allowed_networks):
            return False
        return is_forbidden_address(ip)


STRICT = AddressPolicy()


def _embedded_ipv4(ip: IPv6Address) -> tuple[IPv4Address, ...]:
    if ip.ipv4_mapped is not None:  # ::ffff:0:0/96
        return (ip.ipv4_mapped,)
    if ip in _NAT64_WELL_KNOWN:
        return (IPv4Address(int(ip) & 0xFFFFFFFF),)
    if ip.sixtofour is not None:  # 2002::/16, RFC 3056
        return (ip.sixtofour,)
    if ip.teredo is not None:  # 2001::/32, RFC 4380: server, then the de-obfuscated client
        return ip.teredo
    return ()


def check_url(url: str, *, policy: AddressPolicy = STRICT) -> str:
    """The URL as it will be requested, or FetchError if it must not be fetched at all."""
    return str(parse_url(url, policy=policy))


def parse_url(url: str, *, policy: AddressPolicy = STRICT) -> URL:
    """check_url, returning the parsed yarl URL that the request must then use unchanged."""
    if len(url) > MAX_URL_LENGTH:
        raise _refused(f"URL longer than {MAX_URL_LENGTH} characters")
    # CR/LF and other controls enable header injection (CVE-2021-39195, GHSA-hcqf-fw2r-52g4);
    # yarl would quietly percent-encode them in the path, so look at the raw text.
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        raise _refused(f"URL contains spaces or control characters: {url!r}")
    if "\\" in url:
        raise _refused(f"URL contains a backslash: {url!r}")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise _refused(f"only http and https URLs may be fetched: {url!r}")
    if "@" in re.split(r"[/?#]", rest, maxsplit=1)[0]:
        raise _refused(f"URL carries user info: {url!r}")
    try:
        parsed = URL(url)
    except (ValueError, UnicodeError) as exc:
        raise _refused(f"malformed URL {url!r}: {exc}") from None
    host = parsed.raw_host
    if not host:
        raise _refused(f"URL has no host: {url!r}")
    if parsed.explicit_port == 0:
        raise _refused(f"URL has port 0: {url!r}")
    ip = _host_address(host)
    if ip is not None and policy.forbids(ip):
        raise _refused(f"{ip} is not a public address")
    return parsed


def _host_address(host: str) -> IPv4Address | IPv6Address | None:
    """The address a literal host names, None for a host name; FetchError for anything odd."""
    if "%" in host:
        # Percent-encoded host bytes (`%0d%0a`) or an IPv6 zone id: neither belongs in a fetch.
        raise _refused(f"URL host contains '%': {host!r}")
    if ":" in host:
        try:
            return IPv6Address(host)
        except ValueError:
            raise _refused(f"invalid IPv6 address {host!r}") from None
    labels = host.removesuffix(".").split(".")
    if _NUMBER.match(labels[-1]):
        ip = _legacy_ipv4(labels)
        if str(ip) != host:
            # `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` all reach 127.0.0.1 through
            # getaddrinfo; a public server never needs such spellings, so refuse them outright.
            raise _refused(f"non-canonical IPv4 address {host!r} (means {ip})")
        return ip
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refused(f"invalid host name {host!r}")
    return None


def _legacy_ipv4(labels: list[str]) -> IPv4Address:
    if len(labels) > 4:
        raise _refused(f"invalid IPv4 address {'.'.join(labels)!r}")
    numbers = []
    for label in labels:
        if not _NUMBER.match(label):
            raise _refused(f"invalid IPv4 address {'.'.join(labels)!r}")
        if label[:2].lower() == "0x":
            numbers.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            try:
                numbers.append(int(label, 8))
            except ValueError:
                raise _refused(f"invalid IPv4 address {'.'.join(labels)!r}") from None
        else:
            numbers.append(int(label))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise _refused(f"invalid IPv4 address {'.'.join(labels)!r}")
    value = last
    for position, n in enumerate(head):
        value += n << (8 * (3 - position))
    return IPv4Address(value)


def address_of(text: str) -> IPv4Address | IPv6Address:
    """Parse an address as a resolver or socket reports it (an IPv6 zone id is dropped)."""
    return ipaddress.ip_address(text.partition("%")[0])


def _refused(message: str) -> FetchError:
    return FetchError(message, retryable=False)
