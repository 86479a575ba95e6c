"""Events: creating and cancelling them, who organises them, who may see them, and how they are
published (events.md): Create/Update{Event} from the organiser to its followers, announced by a
public space (FEP-1b12); an event of a members-only space is the space's own, sent to its
members only, never to Public; one of a space for this server only never leaves it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from fedi.activitypub.events import EVENT_CONTEXT, event_to_ap
from fedi.activitypub.group_activities import announce
from fedi.activitypub.notes import wrap
from fedi.context import Context
from fedi.core.html import text_to_html
from fedi.core.ids import new_id
from fedi.core.models import Account, Group
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.db import accounts, event_registrations
from fedi.db import events as event_rows
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from fedi.db.events import Event
from fedi.events.validation import EventDraft
from fedi.federation.publish import Audience, enqueue
from fedi.groups.posting import may_post

log = logging.getLogger(__name__)


class EventError(Exception):
    """An event action that cannot be done; the message says why."""


class NotFound(EventError):
    """No such event for this viewer (one they may not see is the same: security.md V1)."""


@dataclass(frozen=True)
class Published:
    """What one event looks like to the world: the event, its organiser and space."""

    event: Event
    organiser: Account
    group: Account | None
    local_group: Group | None


async def create_event(
    context: Context, organiser: Account, draft: EventDraft, group: Account | None = None
) -> Event:
    """A new event by a local member, alone or in a space they belong to."""
    local_group = None
    if group is not None:
        if not group.is_local or group.actor_type != "Group":
            raise EventError("events can be created only in spaces of this server")
        async with context.db.read() as conn:
            local_group = await group_rows.get_group(conn, group.id)
        if local_group is None or not await may_post(context, group, organiser):
            raise NotFound("no such space")
    event_id = new_id()
    now = utcnow()
    event = Event(
        id=event_id, uri=context.urls.event(event_id), url=context.urls.event(event_id),
        organiser_id=organiser.id, group_id=group.id if group else None, is_local=True,
        is_public=local_group is None or not local_group.is_private, title=draft.title,
        description=text_to_html(draft.description) if draft.description else "",
        starts_at=draft.starts_at, ends_at=draft.ends_at, time_zone=draft.time_zone,
        online_url=draft.online_url, language=draft.language, capacity=draft.capacity,
        join_mode=draft.join_mode, remote_participant_count=None, remote_remaining_capacity=None,
        is_cancelled=False, sequence=0, created_at=now, updated_at=now,
    )  # fmt: skip
    published = Published(event, organiser, group, local_group)
    stamp = to_db(now)

    def write(conn: Connection) -> None:
        event_rows.insert_event(conn, event)
        publish(conn, context, published, "Create", 0, stamp)

    await context.db.write(write)
    context.wake.outbox.set()
    log.info("event %s created by %s", event.uri, organiser.uri)
    return event


def publish(
    conn: Connection, context: Context, published: Published, kind: str, count: int,
    now: str, participants: tuple[int, ...] = (),
) -> None:  # fmt: skip
    """Queue Create or Update{Event} (and a public space's Announce of it), in the caller's
    write; an Update also reaches the remote participants (by delivery alone: no attendee is
    named in the activity). Nothing about an event of a local-only space leaves this server."""
    event, organiser, group, local = (
        published.event,
        published.organiser,
        published.group,
        published.local_group,
    )
    if local is not None and local.is_local_only:
        return
    document = event_to_ap(event, organiser, group, count, with_context=False)
    stamp = to_ap(utcnow())
    if local is not None and local.is_private:
        # The members-only space sends the event as its own, to its members alone (groups.md).
        assert group is not None
        activity = wrap(
            kind, f"{event.uri}/activities/{new_id()}", group, document, document["to"],
            document["cc"], stamp,
        )  # fmt: skip
        activity["@context"] = EVENT_CONTEXT
        enqueue(conn, group.id, activity, Audience(members_of=group.id), now)
        return
    activity = wrap(
        kind, f"{event.uri}/activities/{new_id()}", organiser, document, document["to"],
        document["cc"], stamp,
    )  # fmt: skip
    activity["@context"] = EVENT_CONTEXT
    audience = Audience(followers_of=organiser.id, account_ids=participants)
    enqueue(conn, organiser.id, activity, audience, now)
    if group is not None:
        shared = announce(group, f"{group.uri}#announces/{new_id()}", activity, stamp)
        enqueue(conn, group.id, shared, Audience(followers_of=group.id), now)


async def published_of(context: Context, event: Event) -> Published:
    async with context.db.read() as conn:
        organiser = await accounts.get_by_id(conn, event.organiser_id)
        group = await accounts.get_by_id(conn, event.group_id) if event.group_id else None
        local = await group_rows.get_group(conn, event.group_id) if event.group_id else None
    if organiser is None:
        raise NotFound("no such event")
    return Published(event, organiser, group, local)


async def send_update(context: Context, event: Event) -> None:
    """Tell the event's audience its new state (an edit, a cancellation, the counts)."""
    if not event.is_local:
        return
    published = await published_of(context, event)
    async with context.db.read() as conn:
        count = (await event_registrations.accepted_counts(conn, [event.id]))[event.id]
        participants = tuple(await event_rows.remote_participants(conn, event.id))
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: publish(conn, context, published, "Update", count, now, participants)
    )
    context.wake.outbox.set()


async def send_pending_updates(context: Context) -> int:
    """One Update{Event} for each local event whose counts changed since the last."""
    async with context.db.read() as conn:
        pending = await event_rows.pending_updates(conn, 100)
    for event_id in pending:
        if not await context.db.write(partial(event_rows.take_update, event_id=event_id)):
            continue
        async with context.db.read() as conn:
            event = await event_rows.get_event(conn, event_id)
        if event is not None:
            await send_update(context, event)
    return len(pending)


async def cancel_event(context: Context, event: Event, by: Account) -> Event:
    """An organiser cancels the event: it stays (STATUS:CANCELLED in calendars) and its
    audience is told."""
    if not event.is_local or not await may_manage(context, event, by):
        raise NotFound("no such event")
    cancelled = event.changed(is_cancelled=True, updated_at=utcnow())
    await context.db.write(lambda conn: event_rows.update_event(conn, cancelled))
    await send_update(context, cancelled)
    return cancelled


async def organiser_ids(context: Context, event: Event) -> set[int]:
    """Who runs the event: its organiser, and the moderators of its space when it is ours."""
    found = {event.organiser_id}
    if event.group_id is not None:
        async with context.db.read() as conn:
            found |= {m.account.id for m in await group_rows.moderators(conn, event.group_id)}
    return found


async def may_manage(context: Context, event: Event, account: Account) -> bool:
    return account.is_local and account.id in await organiser_ids(context, event)


async def visible_event(context: Context, event_id: int | None, viewer: Account | None) -> Event:
    """The event if the viewer may know it exists; NotFound otherwise, as for no event."""
    if event_id is None:
        raise NotFound("no such event")
    async with context.db.read() as conn:
        event = await event_rows.visible_event(conn, event_id, viewer.id if viewer else None)
    if event is None:
        raise NotFound("no such event")
    return event


async def upcoming(
    context: Context, viewer: Account | None, *, group_id: int | None = None,
    limit: int = 40, max_id: int | None = None, now: datetime | None = None,
) -> list[Event]:  # fmt: skip
    async with context.db.read() as conn:
        return await event_rows.upcoming(
            conn, viewer.id if viewer else None, now or utcnow(), group_id=group_id,
            limit=limit, max_id=max_id,
        )  # fmt: skip


async def document_of(context: Context, event: Event) -> dict[str, Any]:
    """The Event as served to a fetch (with its context)."""
    published = await published_of(context, event)
    async with context.db.read() as conn:
        count = (await event_registrations.accepted_counts(conn, [event.id]))[event.id]
    return event_to_ap(event, published.organiser, published.group, count)
