"""What the settings pages share: the way back after a form and the layout with the settings
menu (signing in and CSRF-checked forms are fedi.web.member.gate's, as for every member page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fedi.core.models import User
from fedi.moderation.staff import is_staff
from fedi.web.state import context_of, pages_of


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
