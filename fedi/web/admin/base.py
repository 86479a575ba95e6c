"""What the administration pages (/admin/...) share: only staff may see them (administrators
alone for some), and they render inside one layout with the administration menu."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fedi.core.models import User
from fedi.moderation.staff import is_admin, is_staff
from fedi.web.signin import viewer_of
from fedi.web.state import pages_of


async def staff_viewer(request: Request, *, admin: bool = False) -> User | Response:
    """The signed-in staff member, a redirect to the sign-in page for a visitor, or a 403 page
    for a member who is not staff (or not an administrator where one is needed)."""
    viewer = await viewer_of(request)
    if viewer is None:
        query = urlencode({"next": request.url.path})
        return RedirectResponse(f"/auth/sign_in?{query}", 303)
    if not (is_admin(viewer) if admin else is_staff(viewer)):
        raise HTTPException(403, "this page is for the server's moderators")
    return viewer


def render_admin(
    request: Request,
    template: str,
    viewer: User,
    section: str,
    status_code: int = 200,
    **params: Any,
) -> Response:
    """An administration page: templates/admin/<template>, which extends admin/_layout.html."""
    return pages_of(request).render(
        request,
        f"admin/{template}",
        status_code,
        viewer=viewer,
        section=section,
        is_admin=is_admin(viewer),
        done=request.query_params.get("done", ""),
        **params,
    )
