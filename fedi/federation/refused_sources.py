"""Whether something arriving from an allowed server comes, underneath, from a source this
instance refuses: an object whose id or author is on a refused domain, or whose author is a
suspended account. Checked before anything is fetched, so that a boost, a relayed post or a
reply can neither carry a blocked server's content in nor make us fetch from it (security.md
M4, M5, M6, M7)."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.parse import host_of, types_of, uri_of
from fedi.context import Context
from fedi.core.models import Account
from fedi.db import accounts


def refuses_uri(context: Context, uri: str | None) -> bool:
    """The uri is on a domain we do not federate with (a suspended domain, or one off the
    allowlist in allowlist mode). Our own domain is never refused, even when an allowlist does
    not name it."""
    if uri is None:
        return False
    host = host_of(uri)
    return host != context.settings.domain and context.policy.refuses(host)


async def refused_author(
    context: Context, author_uri: str | None, known: Account | None = None
) -> bool:
    """The author is on a refused domain, or is an account suspended here. `known` is an
    account the caller has just read (the activity's actor, most often its post's author too):
    when it is the author, it is not read again."""
    if author_uri is None:
        return False
    if refuses_uri(context, author_uri):
        return True
    if known is not None and known.uri == author_uri:
        return known.is_suspended
    async with context.db.read() as conn:
        account = await accounts.get_by_uri(conn, author_uri)
    return account is not None and account.is_suspended


def _attributed(obj: dict[str, Any]) -> list[str]:
    found = obj.get("attributedTo")
    items = found if isinstance(found, list) else [found]
    return [uri for uri in (uri_of(item) for item in items[:8]) if uri is not None]


async def refused_object(context: Context, obj: Any, known: Account | None = None) -> str | None:
    """Why an object (embedded, or only its id) must be dropped unfetched, or None. A Create
    wrapping a post (a group relaying it) is judged by its actor and its post. `known`: as for
    refused_author."""
    uri = uri_of(obj)
    if refuses_uri(context, uri):
        return f"{uri} is on a refused domain"
    if not isinstance(obj, dict):
        return None
    if "Create" in types_of(obj):
        if await refused_author(context, uri_of(obj.get("actor")), known):
            return "the wrapped activity's actor is refused"
        wrapped = obj.get("object")
        return await refused_object(context, wrapped, known) if wrapped else None
    for author in _attributed(obj):
        if await refused_author(context, author, known):
            return f"{uri} is attributed to {author}, a refused or suspended author"
    return None
