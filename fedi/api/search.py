"""GET /api/v2/search: accounts by handle or name and posts by URL; with resolve=true (and a
signed-in caller, as on Mastodon) a handle goes through WebFinger and a URL is fetched from its
origin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, authorized, routes
from fedi.api.entities import accounts_json, status_entity
from fedi.api.statuses import visible_to
from fedi.core.models import Account, Status
from fedi.db import accounts
from fedi.federation.remote_accounts import ActorError, parse_handle, resolve_handle
from fedi.federation.remote_posts import fetch_status
from fedi.statuses.batch import load
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_QUERY = 500


@authorized("read:search")
async def search(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    query = (params.get("q") or "").strip()
    if not query or len(query) > MAX_QUERY:
        raise APIError(422, "q is required (at most 500 characters)")
    kind = params.get("type")
    resolve = params.get_bool("resolve")
    found_accounts: list[Account] = []
    found_statuses: list[Status] = []
    if kind in (None, "accounts") and "@" in query.lstrip("@"):
        try:
            if resolve:
                found_accounts.append(await resolve_handle(context, query))
            else:
                username, domain = parse_handle(query)
                async with context.db.read() as conn:
                    local = domain == context.settings.domain
                    account = (
                        await accounts.get_local_actor(conn, username)
                        if local
                        else await accounts.get_remote_by_acct(conn, username, domain)
                    )
                if account is not None:
                    found_accounts.append(account)
        except ActorError:
            pass
    if kind in (None, "statuses") and query.startswith(("https://", "http://")) and resolve:
        status = await fetch_status(context, query)
        if status is not None and await visible_to(request, status, caller.user):
            found_statuses.append(status)
    batch = await load(context, found_statuses, caller.user.account)
    return JSONResponse(
        {
            "accounts": await accounts_json(context, found_accounts),
            "statuses": [status_entity(context, batch, s, caller.user) for s in found_statuses],
            "hashtags": [],
        }
    )


search_routes = [*routes("/api/v2/search", search, ["GET"])]
