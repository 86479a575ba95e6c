"""Reading untrusted ActivityStreams JSON: ids, strings and lists out of the shapes servers send
(a value or a list, a URI or an embedded object), each bounded in size."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

PUBLIC_FORMS = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
MAX_URI = 2048


class InvalidActivity(ValueError):
    """The activity or object is malformed or not allowed; the message says why."""


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def uri_of(value: Any) -> str | None:
    """The id of a value that is a URI string, an object with an id, or a Link with an href."""
    candidate: object = value
    if isinstance(value, dict):
        candidate = value.get("id") or (value.get("href") if value.get("type") == "Link" else None)
    if not isinstance(candidate, str) or len(candidate) > MAX_URI:
        return None
    return candidate if _is_http_uri(candidate) else None


# An activity names the same few ids (its actor, the public collection, followers, a mention)
# many times over while it is read: the answers are remembered.
@lru_cache(maxsize=4096)
def _is_http_uri(candidate: str) -> bool:
    parts = urlsplit(candidate)
    return parts.scheme in ("https", "http") and bool(parts.netloc)


def required_uri(document: dict[str, Any], key: str) -> str:
    uri = uri_of(document.get(key))
    if uri is None:
        raise InvalidActivity(f"{key} must be an http(s) URI")
    return uri


def uris(value: Any, limit: int = 1000) -> list[str]:
    found = [u for u in (uri_of(v) for v in as_list(value)[:limit]) if u is not None]
    return list(dict.fromkeys(found))


def text(value: Any, limit: int) -> str:
    """A string field, cut to limit characters; anything else is the empty string."""
    return value[:limit] if isinstance(value, str) else ""


@lru_cache(maxsize=4096)
def host_of(uri: str) -> str:
    return urlsplit(uri).netloc.lower()


def types_of(document: dict[str, Any]) -> set[str]:
    return {t for t in as_list(document.get("type")) if isinstance(t, str)}


def is_public(addresses: list[str]) -> bool:
    return any(a in PUBLIC_FORMS for a in addresses)


def addresses(document: dict[str, Any], key: str) -> list[str]:
    """to/cc/bto/bcc entries, keeping the short Public forms that uri_of would drop."""
    found: list[str] = []
    for value in as_list(document.get(key))[:1000]:
        if isinstance(value, str) and value in PUBLIC_FORMS:
            found.append(value)
        else:
            uri = uri_of(value)
            if uri:
                found.append(uri)
    return found
