"""What every member page and form shares (the settings pages too): signing in first, forms
with their CSRF token checked, and the way back after a form (post/redirect/get). Pages
rendered for a member are kept out of every cache by fedi.web.templating.Pages.render."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fedi.core.models import User
from fedi.web.forms import check_csrf, read_form, safe_next
from fedi.web.responses import private_no_store
from fedi.web.signin import viewer_of
from fedi.web.state import context_of


def to_sign_in(request: Request) -> Response:
    """Where a visitor goes who asked for a member page: the sign-in form, then back here."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/auth/sign_in?{urlencode({'next': target})}", 303)


async def member_or_sign_in(request: Request) -> User | Response:
    """The signed-in member, or the redirect to the sign-in form for anyone else."""
    viewer = await viewer_of(request)
    return to_sign_in(request) if viewer is None else viewer


async def member_form(request: Request) -> tuple[User, dict[str, str]] | Response:
    """A form posted by a signed-in member, its CSRF token checked (403 otherwise); a visitor
    is sent to sign in."""
    viewer = await viewer_of(request)
    if viewer is None:
        return RedirectResponse("/auth/sign_in", 303)
    form = await read_form(request)
    check_csrf(request, form, context_of(request).settings.base_url)
    return viewer, form


def back(form: dict[str, str], default: str = "/home") -> Response:
    """Post/redirect/get: to the page the form came from (a local path only), or `default`."""
    target = safe_next(form.get("next") or default)
    return private_no_store(RedirectResponse(target, 303))
