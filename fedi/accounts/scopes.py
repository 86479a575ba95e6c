"""OAuth scopes, as Mastodon defines them, and the one check every API route goes through.

A token holding `read` holds every `read:*` scope; `follow` stands for the follow, block and mute
scopes of read and write (Mastodon's legacy scope); `admin:read` holds every `admin:read:*`.
"""

from __future__ import annotations

from collections.abc import Iterable

READ = ("accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
        "notifications", "search", "statuses")  # fmt: skip
WRITE = ("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows",
         "lists", "media", "mutes", "notifications", "reports", "statuses")  # fmt: skip
ADMIN = ("accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks",
         "email_domain_blocks", "canonical_email_blocks")  # fmt: skip
FOLLOW_IMPLIES = {"read:blocks", "read:follows", "read:mutes", "write:blocks", "write:follows",
                  "write:mutes"}  # fmt: skip

TOP_LEVEL = ("read", "write", "follow", "push", "profile", "admin:read", "admin:write")
SUPPORTED: frozenset[str] = frozenset(
    [*TOP_LEVEL]
    + [f"read:{s}" for s in READ]
    + [f"write:{s}" for s in WRITE]
    + [f"admin:read:{s}" for s in ADMIN]
    + [f"admin:write:{s}" for s in ADMIN]
)


class ScopeError(ValueError):
    """A requested scope does not exist or may not be granted."""


def parse(text: str | None, default: str = "read") -> tuple[str, ...]:
    """Space- (or plus-) separated scopes, in order, without duplicates; unknown ones refused."""
    words = (text or default).replace("+", " ").split()
    unknown = [w for w in words if w not in SUPPORTED]
    if unknown:
        raise ScopeError(f"unknown scope {unknown[0]!r}")
    return tuple(dict.fromkeys(words))


def is_admin_scope(scope: str) -> bool:
    return scope.startswith("admin:")


def grants(held: Iterable[str], required: str) -> bool:
    """Whether a token holding `held` may do what `required` allows."""
    held = set(held)
    if required in held:
        return True
    parts = required.split(":")
    if (
        len(parts) >= 2 and ":".join(parts[:-1]) in held
    ):  # read:statuses <- read, admin:read:x <- admin:read
        return True
    return required in FOLLOW_IMPLIES and "follow" in held


def as_text(scopes: Iterable[str]) -> str:
    return " ".join(scopes)
