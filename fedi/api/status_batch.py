"""GET /api/v1/statuses?id[]=: several posts at once (Mastodon 4.3; Phanpy uses it), in the order
asked, leaving out any the caller may not see, exactly as if they did not exist."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import Params, public_read, routes
from fedi.api.entities import status_entity
from fedi.api.filtering import optional_viewer
from fedi.core.ids import parse_id
from fedi.db import statuses
from fedi.statuses.batch import load
from fedi.statuses.visibility import visible_in
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_IDS = 20  # Mastodon's limit for this endpoint


@public_read
async def many(request: Request, params: Params) -> Response:
    context = context_of(request)
    viewer = await optional_viewer(request, "read:statuses")
    wanted = [parse_id(str(raw)) for raw in params.get_list("id")[: MAX_IDS * 5]]
    ids = list(dict.fromkeys(i for i in wanted if i is not None))[:MAX_IDS]
    async with context.db.read_now() as conn:
        known = await statuses.get_many(conn, ids)
    found = [known[i] for i in ids if i in known]
    batch = await load(context, found, viewer.account if viewer else None)
    visible = [s for s in found if visible_in(batch, s, viewer)]
    return JSONResponse([status_entity(context, batch, s, viewer) for s in visible])


status_batch_routes = [*routes("/api/v1/statuses", many, ["GET"])]
