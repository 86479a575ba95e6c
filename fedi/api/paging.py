"""Paging of lists that are not statuses (mutes, domain blocks, list members): a limit with a
default and a cap, and the Link header built from the row ids of the page."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from fedi.api.base import Params


def limit_of(params: Params, default: int, cap: int, allow_all: bool = False) -> int:
    """The `limit` parameter within 1..cap; with allow_all, 0 means no limit (list members)."""
    raw = params.get("limit", "") or ""
    if not raw.isdigit() or len(raw) > 9:
        return default
    if allow_all and int(raw) == 0:
        return 0
    return min(max(int(raw), 1), cap)


def link_for(request: Request, ids: list[int]) -> dict[str, str]:
    """`Link: <...?max_id=oldest>; rel="next", <...?min_id=newest>; rel="prev"` for a page of
    row ids, newest first; no header for an empty page."""
    if not ids:
        return {}
    base = str(request.url.replace(query=""))
    others = {
        k: v for k, v in request.query_params.items() if k not in ("max_id", "min_id", "since_id")
    }
    older = f"{base}?{urlencode({**others, 'max_id': ids[-1]})}"
    newer = f"{base}?{urlencode({**others, 'min_id': ids[0]})}"
    return {"Link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}
