"""GET /api/v2/search: accounts by handle or name, posts by URL and hashtags by name; with
resolve=true (and a signed-in caller, as on Mastodon) a handle goes through WebFinger and a URL
is fetched from its origin. The finding is fedi.accounts.search and fedi.statuses.search, which
the search page uses too."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.search import account_by_handle
from fedi.api.base import APIError, Caller, authorized, routes
from fedi.api.entities import accounts_json, status_entity
from fedi.core.models import Account, Status
from fedi.statuses.batch import load
from fedi.statuses.search import find_hashtags, status_at
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
        account = await account_by_handle(context, query, resolve=resolve)
        if account is not None:
            found_accounts.append(account)
    if kind in (None, "statuses") and resolve:
        status = await status_at(context, query, caller.user, resolve=True)
        if status is not None:
            found_statuses.append(status)
    tags = await find_hashtags(context, query) if kind in (None, "hashtags") else []
    batch = await load(context, found_statuses, caller.user.account)
    return JSONResponse(
        {
            "accounts": await accounts_json(context, found_accounts),
            "statuses": [status_entity(context, batch, s, caller.user) for s in found_statuses],
            "hashtags": [
                {"name": name, "url": context.urls.tag(name), "history": []} for name, _ in tags
            ],
        }
    )


search_routes = [*routes("/api/v2/search", search, ["GET"])]
