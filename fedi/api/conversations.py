"""Direct conversations (`/api/v1/conversations`): the threads of direct posts a member is part
of, as Elk, Phanpy and the official apps list them. Another member's conversation is a 404."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import Caller, authorized, owned_by_caller, routes
from fedi.api.entities import account_entity, status_entity
from fedi.api.paging import link_header, page_of
from fedi.context import Context
from fedi.core.models import User
from fedi.db import conversations, statuses
from fedi.db.conversations import Conversation
from fedi.statuses.batch import load
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def conversation_json(
    context: Context, viewer: User, conversation: Conversation
) -> dict[str, Any]:
    return (await conversations_json(context, viewer, [conversation]))[0]


async def conversations_json(
    context: Context, viewer: User, found: list[Conversation]
) -> list[dict[str, Any]]:
    """Conversation entities for a page, loaded at once."""
    me = viewer.account.id
    async with context.db.read() as conn:
        others = await conversations.participants_of(conn, me, [c.thread for c in found])
        last = await statuses.get_many(conn, [c.last_status_id for c in found])
    batch = await load(
        context, list(last.values()), viewer.account,
        with_accounts=[a.id for people in others.values() for a in people],
    )  # fmt: skip
    return [
        {
            "id": str(c.id),
            "unread": c.unread,
            "accounts": [account_entity(context, a, batch.counts_of(a)) for a in others[c.thread]],
            "last_status": (
                status_entity(context, batch, last[c.last_status_id], viewer)
                if c.last_status_id in last
                else None
            ),
        }
        for c in found
    ]


@authorized("read:statuses")
async def index(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        found = await conversations.page_of(conn, caller.user.account.id, page_of(caller.params))
    body = await conversations_json(context, caller.user, found)
    return JSONResponse(body, headers=link_header(request, [c.last_status_id for c in found]))


async def _mine(request: Request, caller: Caller) -> Conversation:
    return await owned_by_caller(request, caller, "conversation_id", conversations.get)


@authorized("write:conversations")
async def read(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = await _mine(request, caller)
    account_id = caller.user.account.id
    await context.db.write(
        lambda conn: conversations.mark(conn, account_id, found.thread, read=found.last_status_id)
    )
    done = Conversation(found.id, found.thread, found.last_status_id, unread=False)
    return JSONResponse(await conversation_json(context, caller.user, done))


@authorized("write:conversations")
async def remove(request: Request, caller: Caller) -> Response:
    """Take the conversation off the member's list, until someone writes in it again."""
    found = await _mine(request, caller)
    account_id = caller.user.account.id
    await context_of(request).db.write(
        lambda conn: conversations.mark(
            conn, account_id, found.thread, read=found.last_status_id, hidden=found.last_status_id
        )
    )
    return JSONResponse({})


conversation_routes = [
    *routes("/api/v1/conversations", index, ["GET"]),
    *routes("/api/v1/conversations/{conversation_id}", remove, ["DELETE"]),
    *routes("/api/v1/conversations/{conversation_id}/read", read, ["POST"]),
]
