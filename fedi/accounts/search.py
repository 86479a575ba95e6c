"""Finding people by handle or name, for the client API's searches and the search page: the
accounts with a word of their username or display name starting with the query, and a full
handle (@name@server) looked up through WebFinger when asked to resolve (as Mastodon does for a
signed-in searcher)."""

from __future__ import annotations

import contextlib

from fedi.context import Context
from fedi.core.models import Account
from fedi.db import account_search
from fedi.federation.remote_accounts import ActorError, resolve_handle


async def find_accounts(
    context: Context,
    query: str,
    *,
    resolve: bool,
    viewer: Account | None,
    following: bool = False,
    limit: int = 40,
    offset: int = 0,
) -> list[Account]:
    """People whose handle or name starts with `query` ("name", "@name", "name@server" or
    words of a display name) as `viewer` (None: anyone) may find them (fedi.db.account_search),
    a full handle on another server first looked up through WebFinger when `resolve` (stored,
    it is then found like the others, unless the viewer may not find it); only those the
    viewer follows with `following`."""
    query = query.strip().lstrip("@")
    username, at, domain = query.partition("@")
    domain = domain.strip().lower()
    if domain == context.settings.domain:
        domain = ""  # our own domain: local accounts
    if domain and resolve and offset == 0 and not following:
        with contextlib.suppress(ActorError):  # unknown or unreachable: the others stay
            await resolve_handle(context, query)
    async with context.db.read() as conn:
        return await account_search.search(
            conn, username, domain if at else None,
            viewer_id=viewer.id if viewer else None, following_only=following,
            limit=limit, offset=offset,
        )  # fmt: skip
