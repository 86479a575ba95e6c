"""What the settings pages share: a signed-in member (a visitor is sent to sign in and back),
CSRF-checked forms, and the layout with the settings menu."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fedi.core.models import User
from fedi.moderation.staff import is_staff
from fedi.web.forms import check_csrf, read_form
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of


async def member_viewer(request: Request) -> User | Response:
    """The signed-in member, or a redirect to the sign-in page that comes back here."""
    viewer = await viewer_of(request)
    if viewer is None:
        query = urlencode({"next": request.url.path})
        return RedirectResponse(f"/auth/sign_in?{query}", 303)
    return viewer


async def checked_form(request: Request) -> tuple[User, dict[str, str]] | Response:
    """The member and their url-encoded form, its CSRF token checked (403 otherwise)."""
    viewer = await member_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    form = await read_form(request)
    check_csrf(request, form, context_of(request).settings.base_url)
    return viewer, form


def back(path: str, **query: str) -> Response:
    """Post/redirect/get: back to the settings page, saying what was done."""
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, 303)


def render_settings(
    request: Request,
    template: str,
    viewer: User,
    section: str,
    status_code: int = 200,
    **params: Any,
) -> Response:
    """A settings page: templates/settings/<template>, which extends settings/_layout.html."""
    return pages_of(request).render(
        request,
        f"settings/{template}",
        status_code,
        viewer=viewer,
        section=section,
        is_staff=is_staff(viewer),
        handle=f"@{viewer.account.username}@{context_of(request).settings.domain}",
        done=request.query_params.get("done", ""),
        **params,
    )
