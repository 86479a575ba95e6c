"""GET /api/v2/search (Mastodon's parameters: q, type, limit, offset, following, account_id,
resolve, exclude_unreviewed, max_id, min_id): people by handle or the start of their names,
hashtags by the start of their name, posts by their words or by address. Anyone may search
people and hashtags; posts, paging and resolving need a signed-in member, as on Mastodon. The
finding is fedi.accounts.search and fedi.statuses.search, which the search page uses too."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.search import find_accounts
from fedi.api.base import APIError, Params, public_read, routes
from fedi.api.entities import accounts_json, status_entity
from fedi.api.filtering import optional_viewer
from fedi.core.ids import parse_id
from fedi.core.models import Account, Status, User
from fedi.statuses.batch import load
from fedi.statuses.search import (
    PostQuery,
    find_hashtags,
    find_statuses,
    is_address,
    kinds_of,
    status_at,
)
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_QUERY = 500
DEFAULT_LIMIT, MAX_LIMIT = 20, 40
MAX_OFFSET = 10_000
KINDS = ("accounts", "hashtags", "statuses")


def number(params: Params, name: str, default: int, high: int) -> int:
    """A non-negative whole number parameter, at most `high`; anything else is the default."""
    raw = (params.get(name) or "").strip()
    return min(int(raw), high) if raw.isdigit() else default


def _id(params: Params, name: str) -> int | None:
    raw = params.get(name)
    if not raw:
        return None
    found = parse_id(raw)
    if found is None:
        raise APIError(422, f"{name} is not an id")
    return found


async def _statuses(
    request: Request, params: Params, query: str, viewer: User, limit: int, offset: int
) -> list[Status]:
    context = context_of(request)
    if is_address(query):
        found = await status_at(context, query, viewer, resolve=params.get_bool("resolve"))
        return [found] if found is not None and offset == 0 else []
    if not kinds_of(query).posts:
        return []
    wanted = PostQuery(
        query, limit=limit, offset=offset, account_id=_id(params, "account_id"),
        max_id=_id(params, "max_id"), min_id=_id(params, "min_id"),
    )  # fmt: skip
    return await find_statuses(context, wanted, viewer)


@public_read
async def search(request: Request, params: Params) -> Response:
    context = context_of(request)
    viewer = await optional_viewer(request, "read:search")
    query = (params.get("q") or "").strip()
    if not query or len(query) > MAX_QUERY:
        raise APIError(422, f"q is required (at most {MAX_QUERY} characters)")
    kind = params.get("type")
    if kind is not None and kind not in KINDS:
        kind = None  # Mastodon searches everything for a type it does not know
    resolve = params.get_bool("resolve")
    limit = max(1, number(params, "limit", DEFAULT_LIMIT, MAX_LIMIT))
    offset = number(params, "offset", 0, MAX_OFFSET)
    if viewer is None and (offset or resolve):
        raise APIError(401, "Search queries that page or resolve need an authenticated user")
    found_accounts: list[Account] = []
    found_statuses: list[Status] = []
    kinds = kinds_of(query)
    if kind in (None, "accounts") and kinds.people and not is_address(query):
        found_accounts = await find_accounts(
            context, query, resolve=resolve, viewer=viewer.account if viewer else None,
            following=params.get_bool("following"), limit=limit, offset=offset,
        )  # fmt: skip
    if kind in (None, "statuses") and viewer is not None:
        found_statuses = await _statuses(request, params, query, viewer, limit, offset)
    tags: list[tuple[str, int]] = []
    if kind in (None, "hashtags") and kinds.hashtags:
        tags = await find_hashtags(context, query, limit, offset)
    batch = await load(context, found_statuses, viewer.account if viewer else None)
    return JSONResponse(
        {
            "accounts": await accounts_json(context, found_accounts),
            "statuses": [status_entity(context, batch, s, viewer) for s in found_statuses],
            "hashtags": [
                {"name": name, "url": context.urls.tag(name), "history": []} for name, _ in tags
            ],
        }
    )


# Checked by optional_viewer when a token is sent; route walks (security.md A1) read it here.
search.required_scope = "read:search"  # type: ignore[attr-defined]

search_routes = [*routes("/api/v2/search", search, ["GET"])]
