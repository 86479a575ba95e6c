"""Reporting an account from its profile: a page with a reason, a comment, the account's recent
posts to point at, and for an account on another server the choice to send the report on to
its server too. Filed by the function the client API's POST /api/v1/reports calls
(fedi.moderation.reports), with the same checks on the posts named."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.core.html import plain_text
from fedi.core.models import Account, Status, User
from fedi.db import statuses
from fedi.moderation.reports import (
    MAX_COMMENT,
    ReportError,
    ReportForm,
    file_report,
    reported_posts,
)
from fedi.statuses.visibility import visible_to
from fedi.web.forms import check_csrf, read_form
from fedi.web.member.gate import member_or_sign_in
from fedi.web.member.profiles import account_named, acct_of
from fedi.web.responses import private_no_store
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of

RECENT = 10  # posts offered to point at
CATEGORIES = ("spam", "legal", "other")  # "violation" needs the server's rules, chosen by id
EXCERPT = 160


@dataclass(frozen=True)
class Offered:
    id: int
    excerpt: str


async def _offered(request: Request, viewer: User, account: Account) -> list[Offered]:
    """The account's latest posts the reporter may see, to tick in the form."""
    context = context_of(request)
    async with context.db.read_now() as conn:
        found = await statuses.public_page(conn, account.id, None, RECENT, with_local_only=True)
    offered: list[Offered] = []
    for status in found:
        if await visible_to(context, status, viewer):
            text = " ".join(plain_text(status.spoiler_text or status.content).split())
            offered.append(Offered(status.id, text[:EXCERPT]))
    return offered


async def _reportable(request: Request, viewer: User) -> Account:
    account = await account_named(request, request.path_params["username"])
    if account.id == viewer.account.id:
        raise HTTPException(404, "no such account")
    return account


async def _form_page(
    request: Request, viewer: User, account: Account, error: str | None = None,
    comment: str = "", chosen: tuple[int, ...] = (),
) -> Response:  # fmt: skip
    locale = pages_of(request).locale_for(request)
    domain = account.domain or context_of(request).settings.domain
    return pages_of(request).render(
        request, "member/report.html", status_code=422 if error else 200, viewer=viewer,
        account=account, acct=acct_of(account), address=f"@{account.username}@{domain}",
        display=account.display_name or account.username,
        posts=await _offered(request, viewer, account), categories=CATEGORIES, error=error,
        comment=comment, chosen=chosen,
        max_comment=MAX_COMMENT, title=locale.gettext("Report an account"),
    )  # fmt: skip


async def report_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    return await _form_page(request, viewer, await _reportable(request, viewer))


async def report(request: Request) -> Response:
    viewer = await viewer_of(request)
    if viewer is None:
        return RedirectResponse("/auth/sign_in", 303)
    context = context_of(request)
    form, chosen = await _fields(request)
    check_csrf(request, form, context.settings.base_url)
    account = await _reportable(request, viewer)
    comment = form.get("comment", "").strip()
    category = form.get("category", "other")
    locale = pages_of(request).locale_for(request)
    if category not in CATEGORIES or len(comment) > MAX_COMMENT:
        reason = locale.gettext("Choose a reason and keep the comment under 1,000 characters.")
        return await _form_page(request, viewer, account, reason, comment, chosen)
    try:
        posts: list[Status] = await reported_posts(context, viewer, account, chosen)
        await file_report(
            context, viewer, account, posts,
            ReportForm(comment=comment, category=category,
                       forward=form.get("forward") == "on" and not account.is_local),
        )  # fmt: skip
    except ReportError:
        reason = locale.gettext("The report could not be sent: a post chosen is no longer there.")
        return await _form_page(request, viewer, account, reason, comment, chosen)
    return private_no_store(RedirectResponse(f"/@{acct_of(account)}?reported=1", 303))


async def _fields(request: Request) -> tuple[dict[str, str], tuple[int, ...]]:
    """The form's fields, and the ids of the posts ticked (one post_<id> checkbox each)."""
    form = await read_form(request)
    ticked = tuple(
        int(v) for k, v in form.items() if k.startswith("post_") and v.isdigit() and len(v) < 20
    )
    return form, ticked[:RECENT]


routes = [
    Route("/@{username}/report", report_page, methods=["GET"]),
    Route("/@{username}/report", report, methods=["POST"]),
]
