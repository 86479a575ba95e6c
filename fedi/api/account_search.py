"""GET /api/v1/accounts/search: accounts whose handle or name starts with `q` (apps use it for
mention autocompletion and the "add to list" picker); with resolve=true a full handle is looked
up by WebFinger, as Mastodon does."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.search import find_accounts
from fedi.api.base import APIError, Caller, authorized, routes
from fedi.api.entities import accounts_json
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_QUERY = 200
DEFAULT_LIMIT, MAX_LIMIT = 40, 80
MAX_OFFSET = 10_000


def _number(raw: str | None, default: int, high: int) -> int:
    if raw is None or not raw.strip().isdigit():
        return default
    return min(int(raw), high)


@authorized("read:accounts")
async def search_accounts(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    query = (params.get("q") or "").strip().lstrip("@")
    if not query or len(query) > MAX_QUERY:
        raise APIError(422, f"q is required (at most {MAX_QUERY} characters)")
    limit = max(1, _number(params.get("limit"), DEFAULT_LIMIT, MAX_LIMIT))
    offset = _number(params.get("offset"), 0, MAX_OFFSET)
    found = await find_accounts(
        context, query, resolve=params.get_bool("resolve"), viewer=caller.user.account,
        following=params.get_bool("following"), limit=limit, offset=offset,
    )  # fmt: skip
    return JSONResponse(await accounts_json(context, found))


account_search_routes = [*routes("/api/v1/accounts/search", search_accounts, ["GET"])]
