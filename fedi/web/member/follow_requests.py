"""Follow requests waiting for a member whose account is locked: who asks, and an Accept and a
Reject form for each, through fedi.relationships (the same functions as the client API's
/api/v1/follow_requests), which also tell the asker's server."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.members import MemberError
from fedi.core.ids import parse_id
from fedi.db import listings
from fedi.relationships.relationships import authorize_follow, reject_follow
from fedi.web.member.cards import author_of
from fedi.web.member.feeds import older_url, page_asked
from fedi.web.member.gate import back, member_form, member_or_sign_in
from fedi.web.state import context_of, pages_of

HERE = "/follow_requests"


async def follow_requests(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    async with context.db.read_now() as conn:
        rows = await listings.follows(conn, viewer.account.id, "requests", page_asked(request))
    locale = pages_of(request).locale_for(request)
    return pages_of(request).render(
        request,
        "member/follow_requests.html",
        viewer=viewer,
        title=locale.gettext("Follow requests"),
        askers=[author_of(context, account) for _, account in rows],
        is_locked=viewer.account.is_locked,
        older=older_url(request, [row_id for row_id, _ in rows]),
        here=HERE,
    )


async def answer(request: Request) -> Response:
    accept = request.path_params["answer"] == "authorize"
    if not accept and request.path_params["answer"] != "reject":
        raise HTTPException(404, "no such answer")
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    follower_id = parse_id(request.path_params["account_id"])
    if follower_id is None:
        raise HTTPException(404, "there is no such follow request")
    context = context_of(request)
    try:
        if accept:
            await authorize_follow(context, viewer.account.username, follower_id)
        else:
            await reject_follow(context, viewer.account.username, follower_id)
    except MemberError:
        raise HTTPException(404, "there is no such follow request") from None
    return back(form, HERE)


routes = [
    Route("/follow_requests", follow_requests, methods=["GET"]),
    Route("/follow_requests/{account_id}/{answer}", answer, methods=["POST"]),
]
