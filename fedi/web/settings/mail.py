"""/settings/mail: what a member receives by mail: notification mail (a mention, a follow, a
follow request or a direct message; never the text of anything that is not public), the
newsletter, and a digest (off, weekly or monthly). Mail goes to a confirmed address only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.email_confirmation import address_of
from fedi.core.models import User
from fedi.mail.preferences import (
    DIGESTS,
    MailPreferences,
    PreferenceError,
    preferences_of,
    save_preferences,
)
from fedi.web.member.gate import member_form, member_or_sign_in
from fedi.web.settings.base import back, render_settings
from fedi.web.state import context_of

PATH = "/settings/mail"


async def _page(
    request: Request, viewer: User, status_code: int = 200, error: str = ""
) -> Response:
    context = context_of(request)
    address = await address_of(context, viewer)
    return render_settings(
        request, "mail.html", viewer, "mail", status_code, error=error,
        chosen=await preferences_of(context, viewer.account.id), digests=DIGESTS,
        current_email=address.email or "", email_confirmed=address.is_confirmed,
    )  # fmt: skip


async def mail_settings(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    return await _page(request, viewer)


async def save_mail_settings(request: Request) -> Response:
    checked = await member_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    chosen = MailPreferences(
        notifications=form.get("notifications") == "1",
        newsletter=form.get("newsletter") == "1",
        digest=form.get("digest", "off")[:16],
    )
    try:
        await save_preferences(context_of(request), viewer.account.id, chosen)
    except PreferenceError:
        return await _page(request, viewer, 422, "digest")
    return back(PATH, done="saved")


routes = [
    Route(PATH, mail_settings, methods=["GET"]),
    Route(PATH, save_mail_settings, methods=["POST"]),
]
