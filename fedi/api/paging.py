"""Paging as Mastodon pages lists: `max_id`, `since_id`, `min_id` and `limit` in, and a `Link`
header with absolute `next` (older) and `prev` (newer) URLs out."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from fedi.api.base import APIError, Params
from fedi.core.ids import parse_id
from fedi.db.timelines import Page

CURSORS = ("max_id", "min_id", "since_id")


def id_param(params: Params, name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        raise APIError(422, f"{name} must be an id")
    return value


def limit_of(params: Params, default: int, cap: int, allow_all: bool = False) -> int:
    """The `limit` parameter within 1..cap; with allow_all, 0 means no limit (list members)."""
    raw = params.get("limit", "") or ""
    if not raw.isdigit() or len(raw) > 9:
        return default
    if allow_all and int(raw) == 0:
        return 0
    return min(max(int(raw), 1), cap)


def page_of(params: Params, default: int = 20, maximum: int = 40) -> Page:
    limit = limit_of(params, default, maximum)
    return Page(
        max_id=id_param(params, "max_id"),
        since_id=id_param(params, "since_id"),
        min_id=id_param(params, "min_id"),
        limit=limit,
    )


# The page's URL without its query, by what it is made of besides the query: a page asked for
# again and again is made again and again. A few hundred at most (then started afresh).
_bases: dict[tuple[object, ...], str] = {}
_BASES = 512


def _base_url(request: Request) -> str:
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    key = (scope.get("scheme"), scope.get("server"), scope.get("root_path"), scope["path"], host)
    base = _bases.get(key)
    if base is None:
        if len(_bases) >= _BASES:
            _bases.clear()
        base = _bases[key] = str(request.url.replace(query=""))
    return base


def link_header(request: Request, cursors: list[int]) -> dict[str, str]:
    """The Link header for a page whose rows have these cursors, newest first."""
    if not cursors:
        return {}
    base = _base_url(request)
    others = [(k, v) for k, v in request.query_params.multi_items() if k not in CURSORS]
    older = f"{base}?{urlencode([*others, ('max_id', cursors[-1])])}"
    newer = f"{base}?{urlencode([*others, ('min_id', cursors[0])])}"
    return {"Link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}
