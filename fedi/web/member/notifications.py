"""The member's notifications page: who did what (mentions and replies, boosts, favourites,
follows and follow requests, ended polls, edits, group answers, moderators' warnings), newest
first, with the post's card when there is one; read and judged by fedi.statuses.notifications
exactly as the client API reads them, in a fixed number of queries. "Mark all as read" moves the
same marker as the API's /api/v1/markers; "clear" deletes them all, as /notifications/clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import User
from fedi.core.timeutil import from_db, to_db, utcnow
from fedi.db import bookmarks, interactions
from fedi.statuses.batch import Batch
from fedi.statuses.notifications import Shown, rows_of, shown
from fedi.statuses.timeline_rules import rules_for
from fedi.web.enhance import is_fragment_request, vary_on_htmx
from fedi.web.member.cards import Author, Card, author_of, card_of, titles_of
from fedi.web.member.feeds import PAGE_SIZE, older_url
from fedi.web.member.gate import back, member_form, member_or_sign_in
from fedi.web.state import context_of, pages_of

HERE = "/notifications"


@dataclass(frozen=True)
class Notice:
    """One notification as the page says it."""

    id: int
    kind: str
    sender: Author
    card: Card | None
    created_at: datetime
    is_new: bool  # after the member's "read" marker
    is_reply: bool  # a mention that answers one of the member's posts
    is_own: bool  # the post is the member's (their poll ended)


def _notice(context: Context, batch: Batch, item: Shown, viewer: User, last_read: int) -> Notice:
    status = item.status
    card = None
    if status is not None:
        warnings = titles_of(item.verdict) if item.verdict is not None else ()
        card = card_of(context, batch, status, viewer, warnings)
    me = viewer.account.id
    return Notice(
        id=item.id,
        kind=item.kind,
        sender=author_of(context, item.sender),
        card=card,
        created_at=from_db(item.row[4]),
        is_new=item.id > last_read,
        is_reply=status is not None and status.in_reply_to_account_id == me,
        is_own=status is not None and status.account_id == me,
    )


async def _last_read(context: Context, me: int) -> int:
    async with context.db.read_now() as conn:
        found = await bookmarks.markers(conn, me)
    last = next((last for timeline, last, _, _ in found if timeline == "notifications"), "")
    return parse_id(last) or 0


async def notifications(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    me = viewer.account.id
    max_id = parse_id(request.query_params.get("max_id", ""))
    rows = await rows_of(context, me, max_id, None, PAGE_SIZE)
    batch, kept = await shown(context, viewer, rows, await rules_for(context, me))
    last_read = await _last_read(context, me)
    notices = [_notice(context, batch, item, viewer, last_read) for item in kept]
    older = older_url(request, [row[0] for row in rows])
    pages = pages_of(request)
    params: dict[str, Any] = {"notices": notices, "older": older, "viewer": viewer, "here": HERE}
    if is_fragment_request(request):
        response = pages.render(request, "member/_notifications_more.html", **params)
    else:
        title = pages.locale_for(request).gettext("Notifications")
        response = pages.render(request, "member/notifications.html", title=title, **params)
    return vary_on_htmx(response)  # rendered for the member: private already


async def mark_read(request: Request) -> Response:
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    context = context_of(request)
    me = viewer.account.id
    newest = await rows_of(context, me, None, None, 1)
    if newest:
        last, now = str(newest[0][0]), to_db(utcnow())
        await context.db.write(
            lambda conn: bookmarks.set_marker(conn, me, "notifications", last, now)
        )
    return back(form, HERE)


async def clear(request: Request) -> Response:
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    me = viewer.account.id
    await context_of(request).db.write(lambda conn: interactions.clear_notifications(conn, me))
    return back(form, HERE)


routes = [
    Route("/notifications", notifications, methods=["GET"]),
    Route("/notifications/read", mark_read, methods=["POST"]),
    Route("/notifications/clear", clear, methods=["POST"]),
]
