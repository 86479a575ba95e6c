"""Registering to events, from here and from other servers (events.md §2). A local event decides
at once, inside one write (capacity, approval, waiting list); a remote event's organisers
decide, and our member's Join waits for their Accept or Reject. Every participation activity
goes to the participant and the organisers only: no attendee list is ever published. The
meeting link goes to an accepted participant alone, in the Accept."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fedi.activitypub import participation
from fedi.activitypub.parse import InvalidActivity, text, uri_of
from fedi.context import Context
from fedi.core.html import plain_text
from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, event_registrations
from fedi.db import events as event_rows
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from fedi.db.event_registrations import Registration
from fedi.db.events import Event
from fedi.events.events import EventError, NotFound, may_manage, organiser_ids
from fedi.events.mails import mail_registration
from fedi.events.validation import valid_url
from fedi.federation.publish import Audience, enqueue

log = logging.getLogger(__name__)
MAX_MESSAGE = 500


def _check_open(event: Event) -> None:
    if event.is_cancelled:
        raise EventError("the event was cancelled")
    if event.ends_at < utcnow():
        raise EventError("the event is over")
    if event.join_mode not in ("open", "approval"):
        raise EventError("registration for this event is not done here")


async def register(
    context: Context, event: Event, member: Account, message: str = ""
) -> Registration:
    """A local member registers (the caller has checked they may see the event)."""
    _check_open(event)
    now = to_db(utcnow())
    message = message.strip()[:MAX_MESSAGE]
    if not event.is_local:
        return await _join_remote(context, event, member, message, now)
    managers = await organiser_ids(context, event)

    def write(conn: Connection) -> tuple[Registration, bool]:
        found, is_new = event_registrations.register(conn, event, member.id, now, message=message)
        if is_new:
            event_registrations.notify(
                conn, managers, "event_registration", member.id, event.id, now
            )
        return found, is_new

    found, is_new = await context.db.write(write)
    if is_new:
        await mail_registration(context, event, member, found.state)
    return found


async def _join_remote(
    context: Context, event: Event, member: Account, message: str, now: str
) -> Registration:
    join_id = f"{member.uri}#joins/{new_id()}"
    async with context.db.read() as conn:
        organisers = await accounts.get_many(
            conn, [i for i in (event.organiser_id, event.group_id) if i]
        )
    addressed = [a.uri for a in organisers.values()]
    activity = participation.join(join_id, member.uri, event.uri, addressed, message)
    audience = Audience(account_ids=tuple(organisers))

    def write(conn: Connection) -> Registration:
        found, is_new = event_registrations.register(
            conn, event, member.id, now, join_uri=join_id, message=message
        )
        if is_new:
            enqueue(conn, member.id, activity, audience, now)
        return found

    found = await context.db.write(write)
    context.wake.outbox.set()
    return found


async def cancel_registration(context: Context, event: Event, member: Account) -> None:
    """The member cancels: their place goes to the first on the waiting list; a remote event's
    organisers get a Leave."""
    now = to_db(utcnow())
    organisers: dict[int, Account] = {}
    if not event.is_local:
        async with context.db.read() as conn:
            organisers = await accounts.get_many(
                conn, [i for i in (event.organiser_id, event.group_id) if i]
            )
    leave = participation.leave(
        f"{member.uri}#leaves/{new_id()}",
        member.uri,
        event.uri,
        [a.uri for a in organisers.values()],
    )

    def write(conn: Connection) -> list[Registration]:
        if event_registrations.cancel(conn, event.id, member.id, now) is None:
            return []
        if not event.is_local:
            enqueue(conn, member.id, leave, Audience(account_ids=tuple(organisers)), now)
            return []
        return event_registrations.promote(conn, _current(conn, event), now)

    promoted = await context.db.write(write)
    await _tell_accepted(context, event, promoted)
    context.wake.outbox.set()


def _current(conn: Connection, event: Event) -> Event:
    return event_rows.event_by_id(conn, event.id) or event


async def decide(
    context: Context, event: Event, organiser: Account, participant_id: int, approve: bool
) -> Registration:
    """An organiser approves (accepted, or waitlisted when full) or rejects a registration."""
    if not event.is_local or not await may_manage(context, event, organiser):
        raise NotFound("no such event")
    now = to_db(utcnow())

    def write(conn: Connection) -> tuple[Registration | None, list[Registration]]:
        current = _current(conn, event)
        if approve:
            return event_registrations.approve(conn, current, participant_id, now), []
        found = event_registrations.registration(conn, event.id, participant_id)
        if found is None or found.state == "cancelled":
            return None, []
        event_registrations.set_state(conn, found.id, "rejected", now)
        promoted = event_registrations.promote(conn, current, now)
        return event_registrations.registration(conn, event.id, participant_id), promoted

    found, promoted = await context.db.write(write)
    if found is None:
        raise NotFound("no such registration")
    if found.state == "accepted":
        promoted = [found, *promoted]
    await _tell_accepted(context, event, promoted)
    if found.state == "rejected":
        await _tell(context, event, [found], "Reject")
    context.wake.outbox.set()
    return found


async def _tell_accepted(context: Context, event: Event, accepted: Iterable[Registration]) -> None:
    await _tell(context, event, list(accepted), "Accept")


async def _tell(context: Context, event: Event, regs: list[Registration], kind: str) -> None:
    """Tell each participant the organisers' answer: a local member by a notification, a remote
    one by an Accept or Reject to their own inbox alone (with the meeting link, for an
    Accept)."""
    if not regs:
        return
    async with context.db.read() as conn:
        people = await accounts.get_many(conn, [r.account_id for r in regs])
        sender = await accounts.get_by_id(conn, event.group_id or event.organiser_id)
    if sender is None:
        return
    now = to_db(utcnow())
    notice = "event_accepted" if kind == "Accept" else "event_rejected"

    def write(conn: Connection) -> None:
        for reg in regs:
            person = people.get(reg.account_id)
            if person is None:
                continue
            if person.is_local:
                event_registrations.notify(
                    conn, [person.id], notice, event.organiser_id, event.id, now
                )
                continue
            answer = participation.answer(
                kind, f"{event.uri}/answers/{new_id()}", sender.uri,
                reg.join_uri or f"{event.uri}/joins/{reg.id}", person.uri, event.uri,
                event.online_url,
            )  # fmt: skip
            enqueue(conn, sender.id, answer, Audience.personal(person), now)

    await context.db.write(write)
    state = "accepted" if kind == "Accept" else "rejected"
    for person in (people.get(reg.account_id) for reg in regs):
        if person is not None and person.is_local:
            await mail_registration(context, event, person, state)


# -- from other servers ------------------------------------------------------------------------


async def receive_join(context: Context, activity: dict[str, Any], actor: Account) -> None:
    """Join{event} of one of our events: registered as a local member would be; an immediate
    Accept when a place is free in open mode, else pending for an organiser or waitlisted."""
    event = await _local_event(context, uri_of(activity.get("object")))
    if event is None:
        return
    if not event.is_public and not await _member_of_space(context, event, actor):
        log.info("Join %s by %s refused: not a member of the space", activity.get("id"), actor.uri)
        return  # as if the event did not exist (security.md V1)
    join_id = str(activity["id"])
    try:
        _check_open(event)
    except EventError:
        reg = Registration(0, event.id, actor.id, "rejected", False, join_id, "", None,
                           utcnow(), utcnow())  # fmt: skip
        await _tell(context, event, [reg], "Reject")
        context.wake.outbox.set()
        return
    message = plain_text(text(activity.get("participationMessage"), MAX_MESSAGE * 4))
    now = to_db(utcnow())
    managers = await organiser_ids(context, event)

    def write(conn: Connection) -> tuple[Registration, bool]:
        found, is_new = event_registrations.register(
            conn, event, actor.id, now, join_uri=join_id, message=message[:MAX_MESSAGE]
        )
        if is_new:
            event_registrations.notify(
                conn, managers, "event_registration", actor.id, event.id, now
            )
        return found, is_new

    found, is_new = await context.db.write(write)
    if is_new and found.state == "accepted":
        await _tell_accepted(context, event, [found])
        context.wake.outbox.set()


async def receive_leave(context: Context, activity: dict[str, Any], actor: Account) -> None:
    event = await _local_event(context, uri_of(activity.get("object")))
    if event is None:
        return
    await cancel_registration(context, event, actor)


async def receive_answer(
    context: Context, activity: dict[str, Any], actor: Account, kind: str
) -> bool:
    """Accept or Reject{Join} of one of our members' registrations to a remote event: it counts
    only from the event's organiser or its space. False when it is about no Join of ours."""
    obj = activity.get("object")
    join_uri = uri_of(obj)
    if join_uri is None:
        return False
    async with context.db.read() as conn:
        reg = await event_registrations.get_by_join_uri(conn, join_uri)
        event = await event_rows.get_event(conn, reg.event_id) if reg else None
    if reg is None or event is None:
        return False
    if event.is_local or actor.id not in (event.organiser_id, event.group_id):
        raise InvalidActivity("only the event's organisers can answer a registration")
    if reg.state in ("cancelled", "rejected") or reg.join_uri != join_uri:
        return True  # a late answer to a registration the member has withdrawn, or refused
    now = to_db(utcnow())
    if kind == "Accept":
        link = valid_url(text(activity.get("meetingUrl"), 2048))
        state = "accepted"
    else:
        link, state = None, "rejected"

    def write(conn: Connection) -> None:
        event_registrations.set_state(conn, reg.id, state, now, online_url=link)
        notice = "event_accepted" if state == "accepted" else "event_rejected"
        event_registrations.notify(conn, [reg.account_id], notice, actor.id, event.id, now)

    await context.db.write(write)
    async with context.db.read() as conn:
        member = await accounts.get_by_id(conn, reg.account_id)
    if member is not None:
        await mail_registration(context, event, member, state)
    return True


async def _local_event(context: Context, uri: str | None) -> Event | None:
    if uri is None:
        return None
    async with context.db.read() as conn:
        event = await event_rows.get_by_uri(conn, uri)
    return event if event is not None and event.is_local else None


async def _member_of_space(context: Context, event: Event, actor: Account) -> bool:
    if event.group_id is None:
        return False
    async with context.db.read() as conn:
        return event.group_id in await group_rows.joined_among(conn, actor.id, [event.group_id])
