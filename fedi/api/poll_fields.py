"""The poll parts of a Status: the `poll[...]` parameters of a new status, and the Poll entity
(Mastodon's REST::PollSerializer) shown inside a Status and alone."""

from __future__ import annotations

from typing import Any

from fedi.api.base import Params, ValidationFailed
from fedi.context import Context
from fedi.core.models import Poll, Status, User, is_expired
from fedi.core.timeutil import to_api, utcnow
from fedi.db import polls as db_polls
from fedi.statuses.polls import EXPIRES, MAX_EXPIRATION, OPTIONS, PollRequest, check_poll

MAX_CHOICES = 64  # more than any poll has options: longer lists are refused unread


def scalar(value: Any, name: str) -> str:
    """A form or JSON scalar as text; objects, lists and files are refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed.of(name, "ERR_INVALID", "must be a string")
    return str(value)


def poll_request_from(params: Params) -> PollRequest | None:
    """`poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]` from a form,
    multipart or JSON body (`{"poll": {...}}`); None when the post has no poll."""
    fields = Params(params.nested("poll"))
    if not fields.values:
        return None
    if params.get_list("media_ids"):
        raise ValidationFailed.of("media_ids", "ERR_INVALID", "cannot be attached to a poll")
    raw_options = fields.get_list("[options]")
    if len(raw_options) > MAX_CHOICES:
        raise ValidationFailed.of(OPTIONS, "ERR_TOO_LONG", "has too many items")
    options = tuple(scalar(o, OPTIONS).strip() for o in raw_options)
    raw_expiry = fields.values.get("[expires_in]", [None])[0]
    if raw_expiry is None or raw_expiry == "":
        raise ValidationFailed.of(EXPIRES, "ERR_BLANK", "can't be blank")
    expiry = scalar(raw_expiry, EXPIRES).strip()
    try:
        seconds = int(float(expiry)) if len(expiry) <= 20 else MAX_EXPIRATION + 1
    except (ValueError, OverflowError):
        raise ValidationFailed.of(EXPIRES, "ERR_INVALID", "must be a number of seconds") from None
    request = PollRequest(
        options=options,
        expires_in=seconds,
        is_multiple=fields.get_bool("[multiple]"),
        hide_totals=fields.get_bool("[hide_totals]"),
    )
    check_poll(request)  # a PollError is the route's 422 with its details
    return request


async def poll_json(context: Context, status: Status, viewer: User | None) -> dict[str, Any] | None:
    """The Poll entity of a status (None without a poll)."""
    async with context.db.read() as conn:
        poll = await db_polls.get(conn, status.id)
        if poll is None:
            return None
        own = await db_polls.own_choices(conn, status.id, viewer.account.id) if viewer else []
    return poll_entity(poll, own, status, viewer)


def poll_entity(poll: Poll, own: list[int], status: Status, viewer: User | None) -> dict[str, Any]:
    """The Poll entity from a poll and the viewer's choices in it. Per-option counts of a poll
    with hidden totals are null until it ends, except for its author; `voted` is true for the
    author too, as on Mastodon."""
    expired = is_expired(poll, utcnow())
    is_author = viewer is not None and viewer.account.id == status.account_id
    shown = expired or not poll.hide_totals or is_author
    body: dict[str, Any] = {
        "id": str(status.id),
        "expires_at": to_api(poll.expires_at),
        "expired": expired,
        "multiple": poll.is_multiple,
        "votes_count": sum(o.votes for o in poll.options),
        "voters_count": poll.voters_count,
        "options": [
            {"title": o.title, "votes_count": o.votes if shown else None} for o in poll.options
        ],
        "emojis": [],
    }
    if viewer is not None:
        body["voted"] = is_author or bool(own)
        body["own_votes"] = [c for c in own if c < len(poll.options)]
    return body
