"""Finding people by handle or name, for the client API's searches and the search page: the
accounts whose username or display name starts with the query, and a full handle
(@name@server) looked up here or, when asked to resolve, through WebFinger (as Mastodon does
for a signed-in searcher)."""

from __future__ import annotations

import contextlib

from fedi.context import Context
from fedi.core.models import Account
from fedi.db import account_search, accounts
from fedi.federation.remote_accounts import ActorError, parse_handle, resolve_handle


async def account_by_handle(context: Context, handle: str, *, resolve: bool) -> Account | None:
    """The account a full handle names: ours, one this server knows, or (resolve) one found
    through WebFinger; None when there is none or it cannot be reached."""
    try:
        if resolve:
            return await resolve_handle(context, handle)
        username, domain = parse_handle(handle)
    except ActorError:
        return None
    async with context.db.read() as conn:
        if domain == context.settings.domain:
            return await accounts.get_local_actor(conn, username)
        return await accounts.get_remote_by_acct(conn, username, domain)


async def find_accounts(
    context: Context,
    query: str,
    *,
    resolve: bool,
    following_of: int | None = None,
    limit: int = 40,
    offset: int = 0,
) -> list[Account]:
    """People whose handle or name starts with `query` ("name", "@name" or "name@server"),
    the exact account of a full handle first when `resolve` finds it; without duplicates."""
    query = query.strip().lstrip("@")
    username, _, domain = query.partition("@")
    if domain.lower() == context.settings.domain:
        domain = ""  # our own domain: local accounts
    found: list[Account] = []
    if domain and resolve and offset == 0 and following_of is None:
        with contextlib.suppress(ActorError):  # unknown or unreachable: the local matches stay
            found.append(await resolve_handle(context, query))
    async with context.db.read() as conn:
        found += await account_search.search(
            conn, username, domain.lower() if "@" in query else None,
            following_of=following_of, limit=limit, offset=offset,
        )  # fmt: skip
    return list({account.id: account for account in found}.values())[:limit]
