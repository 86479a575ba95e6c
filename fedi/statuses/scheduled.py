"""Scheduled posts, as Mastodon's ScheduledStatus: a member asks to post at a later time (at
least five minutes ahead; at most 300 waiting, 25 on any one day); what they asked is checked
now as a post would be, kept with its uploads, and posted at that time by the background
workers, exactly as if they had posted it then (media and poll included). Publishing takes the
post first (with the worker's claim, fedi.db.claims) and posts it after, so that it is never
posted twice, whichever of several workers takes it: a post interrupted between the two (its
worker stopped, its claim lapsed) is marked failed, as Mastodon's job would lose it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fedi.accounts.members import MemberError
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import User
from fedi.core.rounds import repeat
from fedi.core.timeutil import to_db, utcnow
from fedi.core.validation import BASE, Invalid
from fedi.db import accounts, scheduled_statuses
from fedi.db.connection import Connection
from fedi.db.scheduled_statuses import Scheduled
from fedi.media import media
from fedi.statuses.polls import PollError, PollRequest, check_poll
from fedi.statuses.posting import VISIBILITIES, PostError, check_text, post_status

log = logging.getLogger(__name__)

MIN_AHEAD = timedelta(minutes=5)
MAX_WAITING = 300
MAX_PER_DAY = 25
BATCH = 20
LOOK_EVERY = 5.0  # seconds between looks for a post whose time has come
SCHEDULED_AT = "scheduled_at"


class ScheduleError(Invalid):
    """A scheduled post that cannot be kept; the problems say why (Mastodon's words)."""


def parse_time(value: str) -> datetime:
    """An ISO 8601 time (UTC when it names no offset)."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleError.of(
            SCHEDULED_AT, "ERR_INVALID", "is not a valid date and time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_future(when: datetime, now: datetime) -> None:
    if when < now + MIN_AHEAD:
        raise ScheduleError.of(
            SCHEDULED_AT, "ERR_INVALID", "must be at least 5 minutes in the future"
        )


def _day_of(when: datetime) -> tuple[str, str]:
    start = when.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return to_db(start), to_db(start + timedelta(days=1))


def _poll_params(poll: PollRequest | None) -> dict[str, Any] | None:
    if poll is None:
        return None
    return {"options": list(poll.options), "expires_in": poll.expires_in,
            "multiple": poll.is_multiple, "hide_totals": poll.hide_totals}  # fmt: skip


def _poll_of(params: dict[str, Any]) -> PollRequest | None:
    poll = params.get("poll")
    if not isinstance(poll, dict):
        return None
    return PollRequest(tuple(str(o) for o in poll.get("options", [])),
                       int(poll.get("expires_in", 0)), bool(poll.get("multiple")),
                       bool(poll.get("hide_totals")))  # fmt: skip


async def schedule(
    context: Context, user: User, when_text: str, *, text: str, visibility: str,
    spoiler_text: str = "", language: str | None = None, in_reply_to_id: int | None = None,
    media_ids: Sequence[int] = (), poll: PollRequest | None = None, local_only: bool = False,
) -> Scheduled:  # fmt: skip
    """Keep a post for later, after the checks a post gets now."""
    when, now = parse_time(when_text), utcnow()
    _in_future(when, now)
    if visibility not in VISIBILITIES:
        raise ScheduleError.of("visibility", "ERR_INCLUSION", "is not included in the list")
    try:
        attached = await media.check_attachable(context, user.account.id, media_ids)
        check_text(text, spoiler_text, bool(attached))
        if poll is not None:
            check_poll(poll)
    except (PostError, PollError) as exc:
        raise ScheduleError(*exc.problems) from None
    except media.MediaError as exc:
        raise ScheduleError(exc.problem) from None
    params = {
        "text": text, "visibility": visibility, "spoiler_text": spoiler_text,
        "sensitive": bool(spoiler_text), "language": language,
        "in_reply_to_id": str(in_reply_to_id) if in_reply_to_id else None,
        "media_ids": [str(i) for i in attached], "poll": _poll_params(poll),
        "local_only": local_only, "scheduled_at": None, "application_id": None,
    }  # fmt: skip
    scheduled_id, stamp, at = new_id(), to_db(now), to_db(when)

    def write(conn: Connection) -> None:
        if scheduled_statuses.count_waiting(conn, user.account.id) >= MAX_WAITING:
            raise ScheduleError.of(
                BASE, "ERR_INVALID", f"You have exceeded the limit of {MAX_WAITING} scheduled posts"
            )
        if scheduled_statuses.count_waiting(conn, user.account.id, _day_of(when)) >= MAX_PER_DAY:
            raise ScheduleError.of(
                BASE, "ERR_INVALID",
                f"You have exceeded the limit of {MAX_PER_DAY} scheduled posts for that day",
            )  # fmt: skip
        if not scheduled_statuses.insert(
            conn, scheduled_id, user.account.id, at, params, attached, stamp
        ):
            raise ScheduleError.of("media_ids", "ERR_INVALID", "media not found or already in use")

    await context.db.write(write)
    found = await get_own(context, user.account.id, scheduled_id)
    assert found is not None
    return found


async def get_own(context: Context, account_id: int, scheduled_id: int) -> Scheduled | None:
    async with context.db.read() as conn:
        found = await scheduled_statuses.get(conn, scheduled_id)
    if found is None or found.account_id != account_id or found.state != "waiting":
        return None
    return found


async def reschedule(
    context: Context, account_id: int, scheduled_id: int, when_text: str
) -> Scheduled | None:
    """Move a waiting post to another time; None when there is no such post."""
    when = parse_time(when_text)
    _in_future(when, utcnow())

    def write(conn: Connection) -> bool:
        if scheduled_statuses.count_waiting(conn, account_id, _day_of(when)) >= MAX_PER_DAY:
            raise ScheduleError.of(
                BASE, "ERR_INVALID",
                f"You have exceeded the limit of {MAX_PER_DAY} scheduled posts for that day",
            )  # fmt: skip
        return scheduled_statuses.reschedule(conn, scheduled_id, account_id, to_db(when))

    if not await context.db.write(write):
        return None
    return await get_own(context, account_id, scheduled_id)


async def cancel(context: Context, account_id: int, scheduled_id: int) -> bool:
    now = to_db(utcnow())
    return bool(
        await context.db.write(
            lambda conn: scheduled_statuses.delete_waiting(conn, scheduled_id, account_id, now)
        )
    )


async def _publish(context: Context, scheduled_id: int) -> bool:
    """Post one due scheduled post, once; False when another took it first."""
    worker, until = context.claims.worker, context.claims.until(utcnow())
    if not await context.db.write(
        lambda conn: scheduled_statuses.claim(conn, scheduled_id, worker, until)
    ):
        return False
    async with context.db.read() as conn:
        found = await scheduled_statuses.get(conn, scheduled_id)
    assert found is not None
    params = found.params
    status_id: int | None = None
    error: str | None = None
    try:
        async with context.db.read() as conn:
            author = await accounts.get_by_id(conn, found.account_id)
        if author is None or author.domain is not None:
            raise MemberError("the member is gone")
        reply_to = params.get("in_reply_to_id")
        status = await post_status(
            context, author.username, str(params.get("text") or ""),
            params.get("visibility", "public"), str(params.get("spoiler_text") or ""),
            params.get("language"), in_reply_to_id=int(reply_to) if reply_to else None,
            media_ids=[int(i) for i in params.get("media_ids", [])], poll=_poll_of(params),
            local_only=bool(params.get("local_only")), scheduled_id=scheduled_id,
        )  # fmt: skip
        status_id = status.id
    except (PostError, PollError, MemberError, ValueError) as exc:
        error = str(exc)[:500]
        log.info("scheduled post %d could not be posted: %s", scheduled_id, error)
    now = to_db(utcnow())

    def finish(conn: Connection) -> None:
        scheduled_statuses.finish(conn, scheduled_id, status_id, error)
        if status_id is None:
            scheduled_statuses.let_go_of_media(conn, scheduled_id, now)

    await context.db.write(finish)
    return True


async def publish_due(context: Context, now: datetime | None = None) -> int:
    """Post every scheduled post whose time has come (by `now`); how many were posted. Posts
    another worker was publishing when it stopped are marked failed first."""
    await _abandon_interrupted(context, lapsed_only=True)
    async with context.db.read() as conn:
        due = await scheduled_statuses.due(conn, to_db(now or utcnow()), BATCH)
    done = 0
    for scheduled_id in due:
        done += await _publish(context, scheduled_id)
    return done


async def _abandon_interrupted(context: Context, *, lapsed_only: bool) -> None:
    now = to_db(utcnow())
    interrupted = await context.db.write(
        lambda conn: scheduled_statuses.abandon_interrupted(conn, now, lapsed_only=lapsed_only)
    )
    for scheduled_id in interrupted:
        log.warning("scheduled post %d was interrupted while posting: marked failed", scheduled_id)


async def run(context: Context, stop: asyncio.Event) -> None:
    """The background loop: posts left half-published by a stopped process are marked failed
    (never posted twice), then each post is published when its time comes (within seconds)."""
    await _abandon_interrupted(context, lapsed_only=False)
    await repeat(stop, lambda: publish_due(context), name="scheduled posts",
                 interval=LOOK_EVERY, full=BATCH)  # fmt: skip
