"""/admin: the administration's front page, linking each administration page. Staff only: to
anyone else (a visitor included) the address does not exist, as before the page did."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.moderation.staff import is_staff
from fedi.web.admin.base import render_admin
from fedi.web.signin import viewer_of


async def admin_index(request: Request) -> Response:
    viewer = await viewer_of(request)
    if viewer is None or not is_staff(viewer):
        raise HTTPException(404, "no such page")
    return render_admin(request, "index.html", viewer, "index")


routes = [Route("/admin", admin_index, methods=["GET"])]
