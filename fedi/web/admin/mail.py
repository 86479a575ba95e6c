"""/admin/mail: the mail this server sent or wrote as .eml files (no smtp_host), with each
mail's state, attempts and last error, and one mail's headers and text. Administrators only:
a mail may hold a member's password reset link."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.mail.listing import mail_counts, recent_mail, shown_mail
from fedi.web.admin.base import render_admin, staff_viewer
from fedi.web.state import context_of

PATH = "/admin/mail"


async def mail_list(request: Request) -> Response:
    viewer = await staff_viewer(request, admin=True)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    mails, older = await recent_mail(context, parse_id(request.query_params.get("max_id", "")))
    return render_admin(
        request, "mail.html", viewer, "mail", mails=mails, older=older,
        counts=await mail_counts(context), smtp_host=context.settings.smtp_host,
        mail_dir=str(context.settings.mail_dir),
    )  # fmt: skip


async def mail_show(request: Request) -> Response:
    viewer = await staff_viewer(request, admin=True)
    if isinstance(viewer, Response):
        return viewer
    mail_id = parse_id(request.path_params["mail_id"])
    shown = await shown_mail(context_of(request), mail_id) if mail_id is not None else None
    if shown is None:
        raise HTTPException(404, "no such mail")
    return render_admin(request, "mail_show.html", viewer, "mail", mail=shown)


routes = [
    Route(PATH, mail_list, methods=["GET"]),
    Route(f"{PATH}/{{mail_id}}", mail_show, methods=["GET"]),
]
