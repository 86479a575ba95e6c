"""Domain names as moderation rules see them: one normal form (lower-case ASCII, no port, no
trailing dot) and matching on label boundaries, the longest rule first (Mastodon's
DomainBlock.rule_for)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

T = TypeVar("T")
MAX_DOMAIN = 253


class DomainError(ValueError):
    """Not a domain name a rule can be written for; the message says why."""


def _strip_port(text: str) -> str:
    if text.startswith("["):  # [v6]:port
        end = text.find("]")
        return text[: end + 1] if end != -1 else text
    if text.count(":") == 1:
        return text.split(":", 1)[0]
    return text


def host_name(host: str) -> str:
    """A URL's host (netloc) as rules compare it: lower-case, without port or trailing dot."""
    host = _strip_port(host.strip().lower()).rstrip(".")
    return host.rsplit("@", 1)[-1]


def normalize_domain(text: str) -> str:
    """The normal form of a domain typed by a moderator or read from a blocklist; raises
    DomainError. `*.evil.example` and `.evil.example` mean evil.example (subdomains are always
    covered)."""
    value = text.strip()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.split("/", 1)[0]
    value = _strip_port(value).rstrip(".").lstrip("*").lstrip(".")
    if not value:
        raise DomainError("the domain is empty")
    try:
        ascii_form = value.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise DomainError(f"{text.strip()[:80]!r} is not a valid domain name") from None
    if len(ascii_form) > MAX_DOMAIN:
        raise DomainError("the domain is longer than 253 characters")
    for label in ascii_form.split("."):
        if not label or len(label) > 63 or label.startswith("-") or label.endswith("-"):
            raise DomainError(f"{text.strip()[:80]!r} is not a valid domain name")
        if not all(c.isalnum() or c in "-_" for c in label):
            raise DomainError(f"{text.strip()[:80]!r} is not a valid domain name")
    return ascii_form


def suffixes(host: str) -> Iterator[str]:
    """a.b.evil.example, b.evil.example, evil.example, example: longest first."""
    name = host_name(host)
    if name.startswith("["):
        yield name
        return
    labels = name.split(".")
    for start in range(len(labels)):
        yield ".".join(labels[start:])


def rule_for(host: str, rules: Mapping[str, T]) -> T | None:
    """The rule of the longest domain that equals host or is a parent of it on label
    boundaries: evil.example covers a.b.evil.example, never notevil.example nor
    evil.example.org."""
    for candidate in suffixes(host):
        found = rules.get(candidate)
        if found is not None:
            return found
    return None


def obfuscate(domain: str) -> str:
    """The domain as the public blocklist shows it when its rule asks to hide it: the middle
    half of its characters (dots kept) as asterisks, Mastodon's obfuscation."""
    keep = len(domain) // 4
    return "".join(
        "*" if keep < i < len(domain) - keep and c != "." else c for i, c in enumerate(domain)
    )
