"""Actions on a post from a page: favourite, boost, bookmark (and their undoing), vote, delete
(after a confirmation page), and the pages that write a reply or an edit. Each is a form with
the CSRF token that answers 303 back to its page; htmx asks for the post's card alone and gets
it updated in place. They go through the same functions as the client API, after the same check
that the member may see the post at all (404 otherwise, as for a post that does not exist)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextlib import suppress

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import bookmarks, statuses
from fedi.statuses import interactions
from fedi.statuses.posting import PostError, delete_status, edit_status
from fedi.statuses.visibility import visible_to
from fedi.statuses.voting import VoteError, vote
from fedi.web.enhance import is_fragment_request, vary_on_htmx
from fedi.web.member.cards import cards
from fedi.web.member.feeds import compose_for
from fedi.web.member.gate import back, member_form, member_or_sign_in
from fedi.web.state import context_of, pages_of

NO_SUCH_POST = "no such post"
# A card's id in a page: post-1, boost-2, notification-3-post.
CARD_ID = re.compile(r"[a-z]+-[0-9]+(-[a-z]+)?")
Act = Callable[[Context, User, Status, dict[str, str]], Awaitable[None]]


async def seen_status(request: Request, viewer: User) -> Status:
    """The post the path names, if the member may see it; else the 404 of a missing post."""
    context = context_of(request)
    status_id = parse_id(request.path_params["status_id"])
    async with context.db.read_now() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
    if status is None or not await visible_to(context, status, viewer):
        raise HTTPException(404, NO_SUCH_POST)
    return status


async def _favourite(context: Context, viewer: User, status: Status, _: dict[str, str]) -> None:
    await interactions.favourite(context, viewer.account.username, status.id)


async def _unfavourite(context: Context, viewer: User, status: Status, _: dict[str, str]) -> None:
    await interactions.unfavourite(context, viewer.account.username, status.id)


async def _boost(context: Context, viewer: User, status: Status, _: dict[str, str]) -> None:
    await interactions.boost(context, viewer.account.username, status.id)


async def _unboost(context: Context, viewer: User, status: Status, _: dict[str, str]) -> None:
    await interactions.unboost(context, viewer.account.username, status.id)


async def _bookmark(context: Context, viewer: User, status: Status, _: dict[str, str]) -> None:
    account_id, now = viewer.account.id, to_db(utcnow())
    await context.db.write(lambda conn: bookmarks.add_bookmark(conn, account_id, status.id, now))


async def _unbookmark(context: Context, viewer: User, status: Status, _: dict[str, str]) -> None:
    account_id = viewer.account.id
    await context.db.write(lambda conn: bookmarks.remove_bookmark(conn, account_id, status.id))


async def _vote(context: Context, viewer: User, status: Status, form: dict[str, str]) -> None:
    chosen = [int(v) for k, v in form.items() if k.startswith("choice") and v.isdigit()]
    await vote(context, viewer.account, status, [c for c in chosen if c < 64])


ACTS: dict[str, Act] = {
    "favourite": _favourite,
    "unfavourite": _unfavourite,
    "reblog": _boost,
    "unreblog": _unboost,
    "bookmark": _bookmark,
    "unbookmark": _unbookmark,
    "vote": _vote,
}


async def act(request: Request) -> Response:
    act = ACTS.get(request.path_params["action"])
    if act is None:
        raise HTTPException(404, "no such action")
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    status = await seen_status(request, viewer)
    context = context_of(request)
    with suppress(PostError, VoteError):  # already done, or not possible: the card tells
        await act(context, viewer, status, form)
    if not is_fragment_request(request):
        return vary_on_htmx(back(form))
    async with context.db.read_now() as conn:
        fresh = await statuses.get_by_id(conn, status.id) or status
    shown = await cards(context, [fresh], viewer, "thread")
    # The new card keeps the id of the one it replaces (htmx names it), which stays unique.
    target = request.headers.get("hx-target", "")
    response = pages_of(request).render(
        request, "member/_card.html", card=shown[0] if shown else None, viewer=viewer,
        here=form.get("next") or "/home", card_id=target if CARD_ID.fullmatch(target) else None,
    )  # fmt: skip
    return vary_on_htmx(response)  # rendered for the member: private already


async def confirm_delete(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    status = await seen_status(request, viewer)
    if status.account_id != viewer.account.id:
        raise HTTPException(404, NO_SUCH_POST)
    shown = await cards(context_of(request), [status], viewer, "thread")
    locale = pages_of(request).locale_for(request)
    return pages_of(request).render(
        request,
        "member/delete.html",
        viewer=viewer,
        card=shown[0] if shown else None,
        status=status,
        title=locale.gettext("Delete the post?"),
        here="/home",
    )


async def delete(request: Request) -> Response:
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    status = await seen_status(request, viewer)
    if status.account_id != viewer.account.id:
        raise HTTPException(404, NO_SUCH_POST)
    await delete_status(context_of(request), viewer.account.username, status.id)
    return back(form)


async def reply_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    status = await seen_status(request, viewer)
    shown = await cards(context_of(request), [status], viewer, "thread")
    if not shown:
        raise HTTPException(404, NO_SUCH_POST)
    mention = "" if shown[0].is_own else f"{shown[0].author.handle} "
    compose = await compose_for(request, viewer, in_reply_to=shown[0], text=mention)
    locale = pages_of(request).locale_for(request)
    return pages_of(request).render(
        request,
        "member/compose.html",
        viewer=viewer,
        compose=compose,
        error=None,
        next=shown[0].thread_url,
        title=locale.gettext("Reply"),
    )


async def edit_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    status = await seen_status(request, viewer)
    if status.account_id != viewer.account.id or status.reblog_of_id is not None:
        raise HTTPException(404, NO_SUCH_POST)
    return _edit_form(request, viewer, status, status.source_text or "", None)


def _edit_form(
    request: Request, viewer: User, status: Status, text: str, error: str | None
) -> Response:
    locale = pages_of(request).locale_for(request)
    return pages_of(request).render(
        request,
        "member/edit.html",
        status_code=422 if error else 200,
        viewer=viewer,
        status=status,
        text=text,
        error=error,
        title=locale.gettext("Edit the post"),
    )


async def edit(request: Request) -> Response:
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    status = await seen_status(request, viewer)
    if status.account_id != viewer.account.id:
        raise HTTPException(404, NO_SUCH_POST)
    text = form.get("status", "")
    try:
        await edit_status(
            context_of(request), viewer.account.username, status.id, text,
            form.get("spoiler_text", "").strip(),
        )  # fmt: skip
    except PostError:
        locale = pages_of(request).locale_for(request)
        reason = locale.gettext("The post could not be saved: write some text or keep a file.")
        return _edit_form(request, viewer, status, text, reason)
    return back(form)


routes = [
    Route("/statuses/{status_id}/reply", reply_page, methods=["GET"]),
    Route("/statuses/{status_id}/edit", edit_page, methods=["GET"]),
    Route("/statuses/{status_id}/edit", edit, methods=["POST"]),
    Route("/statuses/{status_id}/delete", confirm_delete, methods=["GET"]),
    Route("/statuses/{status_id}/delete", delete, methods=["POST"]),
    Route("/statuses/{status_id}/{action}", act, methods=["POST"]),
]
