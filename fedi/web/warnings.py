"""A member's own moderation warnings (/settings/warnings): what moderators decided about their
account and why, as the `moderation_warning` notification announces."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.db import account_warnings
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of


async def show_warnings(request: Request) -> Response:
    viewer = await viewer_of(request)
    if viewer is None:
        query = urlencode({"next": request.url.path})
        return RedirectResponse(f"/auth/sign_in?{query}", 303)
    async with context_of(request).db.read() as conn:
        warnings = await account_warnings.of_account(conn, viewer.account.id)
    return pages_of(request).render(
        request, "pages/warnings.html", viewer=viewer, warnings=warnings
    )


routes = [Route("/settings/warnings", show_warnings, methods=["GET"])]
