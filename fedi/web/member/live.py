"""New posts and notifications announced while a member's page is open: a Server-Sent Events
stream (/stream/home) fed by the live streams' hub, as the streaming API is. A post is never
pushed into the feed under the reader: the events carry a small HTML fragment, "3 new posts",
a link that htmx's SSE extension swaps into the page (a live region announces it). What counts
is exactly what the home timeline would show them, after their mutes, blocks and filters; the
stream ends when the session does (sign-out, suspension, password change)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.auth import session_user
from fedi.context import Context
from fedi.core.models import User
from fedi.db import accounts, statuses
from fedi.db import streams as stream_sql
from fedi.db.changes import Change
from fedi.i18n.locales import Locale
from fedi.statuses.batch import load
from fedi.statuses.timeline_rules import judge, rules_for
from fedi.streams.audience import Stream, may_receive
from fedi.streams.hub import Listener
from fedi.web.member.gate import to_sign_in
from fedi.web.responses import EventStreamResponse
from fedi.web.signin import SESSION_COOKIE
from fedi.web.state import context_of, pages_of

HOME = Stream("user")
NO_TOKEN = 0  # a session is no OAuth token: no revocation of one ends it (its own check does)


async def _shows_on_home(context: Context, viewer: User, change: Change) -> bool:
    """A new post the member's home feed would show, not written by them."""
    async with context.db.read() as conn:
        facts = await stream_sql.post_facts(conn, change.ref)
        if facts is None or facts.account_id == viewer.account.id:
            return False
        if not await may_receive(conn, viewer.account.id, HOME, facts):
            return False
        status = await statuses.get_by_id(conn, change.ref)
    if status is None:
        return False
    batch = await load(context, [status], viewer.account)
    rules = await rules_for(context, viewer.account.id)
    return not judge(batch, rules, status, "home").hidden


async def _notifies(context: Context, viewer: User, change: Change) -> bool:
    async with context.db.read() as conn:
        row = await stream_sql.notification_of(conn, viewer.account.id, change.ref)
        sender = await accounts.get_by_id(conn, row[2]) if row else None
    if sender is None:
        return False
    rules = await rules_for(context, viewer.account.id)
    return not rules.hides_account(sender, "notifications")


def _fragment(href: str, css: str, text: str) -> str:
    # One line: an event's data ends at the first newline.
    return str(Markup('<a class="{}" href="{}">{}</a>').format(css, href, text))


async def _events(
    context: Context, viewer: User, session: str, locale: Locale, listener: Listener
) -> AsyncIterator[str]:
    posts = notes = 0
    yield ":)\n\n"
    while True:
        try:
            item = await asyncio.wait_for(listener.next(), context.streams.heartbeat)
        except TimeoutError:
            if await session_user(context, session) is None:
                return  # signed out, suspended, or the password changed elsewhere
            yield ":thump\n\n"
            continue
        if item is None:
            return
        if not isinstance(item, Change):
            continue
        if item.kind == "update" and await _shows_on_home(context, viewer, item):
            posts += 1
            text = locale.ngettext("%(num)s new post", "%(num)s new posts", posts) % {"num": posts}
            yield f"event: home\ndata: {_fragment('/home', 'new-posts', text)}\n\n"
        elif item.kind == "notification" and await _notifies(context, viewer, item):
            notes += 1
            text = locale.ngettext(
                "%(num)s new notification", "%(num)s new notifications", notes
            ) % {"num": notes}
            yield f"event: notification\ndata: {_fragment('/notifications', 'new-notes', text)}\n\n"


async def home_stream(request: Request) -> Response:
    context = context_of(request)
    session = request.cookies.get(SESSION_COOKIE, "")
    viewer = await session_user(context, session)
    if viewer is None:
        return to_sign_in(request)
    locale = pages_of(request).locale_for(request)
    hub = context.streams
    listener = await hub.listen(context.db, viewer.account.id, NO_TOKEN)
    return EventStreamResponse(
        _events(context, viewer, session, locale, listener), lambda: hub.leave(listener)
    )


routes = [Route("/stream/home", home_stream, methods=["GET"])]
