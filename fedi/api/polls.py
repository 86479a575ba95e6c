"""Polls: `GET /api/v1/polls/:id` and `POST /api/v1/polls/:id/votes`. A poll's id is its status's
id (stable, and a status has at most one poll)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.oauth import token_for
from fedi.api.base import (
    APIError,
    Caller,
    Params,
    ValidationFailed,
    authorized,
    bearer_of,
    public_read,
    routes,
)
from fedi.api.poll_fields import MAX_CHOICES, poll_json, scalar
from fedi.api.statuses import visible_to
from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.core.validation import BASE
from fedi.db import polls as db_polls
from fedi.db import statuses
from fedi.statuses.voting import VoteError, vote
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def _poll_status(request: Request, viewer: User | None) -> Status:
    """The status of the poll in the path, if the caller may see it; a 404 otherwise (other
    members' private polls are indistinguishable from missing ones)."""
    context = context_of(request)
    status_id = parse_id(request.path_params["poll_id"])
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
        has_poll = status is not None and await db_polls.get(conn, status.id) is not None
    if status is None or not has_poll or not await visible_to(request, status, viewer):
        raise APIError(404, "Record not found")
    return status


@public_read
async def show(request: Request, params: Params) -> Response:
    context = context_of(request)
    bearer = bearer_of(request)
    token = await token_for(context, bearer) if bearer else None
    viewer = token.user if token else None
    status = await _poll_status(request, viewer)
    return JSONResponse(await poll_json(context, status, viewer))


def _choices(params: Params) -> list[int]:
    raw = params.get_list("choices")
    if len(raw) > MAX_CHOICES:
        raise ValidationFailed.of("choices", "ERR_TOO_LONG", "has too many items")
    choices = []
    for value in raw:
        text = scalar(value, "choices").strip()
        if not text.isascii() or not text.isdigit() or len(text) > 4:
            raise ValidationFailed.of(BASE, "ERR_INVALID", "The chosen vote option does not exist")
        choices.append(int(text))
    return choices


@authorized("write:statuses")
async def votes(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    status = await _poll_status(request, caller.user)
    try:
        await vote(context, caller.user.account, status, _choices(caller.params))
    except VoteError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse(await poll_json(context, status, caller.user))


poll_routes = [
    *routes("/api/v1/polls/{poll_id}", show, ["GET"]),
    *routes("/api/v1/polls/{poll_id}/votes", votes, ["POST"]),
]
