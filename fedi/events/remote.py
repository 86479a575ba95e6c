"""Events from other servers (Mobilizon's shape, events.md §1): a Create{Event} is stored as an
event, never as a plain post, when someone here follows its organiser or its space; Update
changes it and Delete removes it. The sender must be the organiser or the space the event is
attributed to, on the event's own host (security.md S17); an event claiming to be ours is
refused (S18)."""

from __future__ import annotations

import logging
from typing import Any

from fedi.activitypub.events import RemoteEvent, event_from_ap
from fedi.activitypub.parse import InvalidActivity, host_of, uri_of
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from fedi.db import accounts, follows
from fedi.db import events as event_rows
from fedi.db.connection import Connection
from fedi.db.events import Event
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.federation.remote_accounts import ActorError, get_actor

log = logging.getLogger(__name__)


def is_event(document: Any) -> bool:
    kinds = document.get("type") if isinstance(document, dict) else None
    return kinds == "Event" or (isinstance(kinds, list) and "Event" in kinds)


def _check_origin(context: Context, parsed: RemoteEvent, sender: Account) -> None:
    if host_of(parsed.uri) == context.settings.domain:
        raise InvalidActivity("an event from elsewhere cannot have one of our ids")
    if sender.uri not in (parsed.organiser_uri, parsed.group_uri):
        raise InvalidActivity("only the event's organiser or space can send it")
    for uri in (parsed.uri, parsed.organiser_uri, parsed.group_uri):
        if uri is not None and host_of(uri) != host_of(sender.uri):
            raise InvalidActivity("the event and its organisers are not on the sender's host")


async def _known(context: Context, uri: str | None, sender: Account) -> Account | None:
    if uri is None or uri == sender.uri:
        return sender if uri is not None else None
    async with context.db.read() as conn:
        return await accounts.get_by_uri(conn, uri)


async def _fetched(context: Context, uri: str, known: Account | None) -> Account:
    if known is not None:
        return known
    try:
        return await get_actor(context, uri)
    except ActorError as exc:
        raise InvalidActivity(f"the event's organisers cannot be read: {exc}") from None


async def _relevant(context: Context, ids: list[int]) -> bool:
    async with context.db.read() as conn:
        for account_id in ids:
            if await follows.has_local_follower(conn, account_id):
                return True
    return False


def _event(
    parsed: RemoteEvent, organiser: Account, group: Account | None, old: Event | None
) -> Event:
    now = utcnow()
    return Event(
        id=old.id if old else new_id(), uri=parsed.uri, url=parsed.url,
        organiser_id=organiser.id, group_id=group.id if group else None, is_local=False,
        is_public=parsed.is_public, title=parsed.title, description=parsed.description,
        starts_at=parsed.starts_at, ends_at=parsed.ends_at, time_zone=parsed.time_zone,
        online_url=None, language=parsed.language, capacity=parsed.capacity,
        join_mode=parsed.join_mode, remote_participant_count=parsed.participant_count,
        remote_remaining_capacity=parsed.remaining, is_cancelled=parsed.is_cancelled,
        sequence=old.sequence + 1 if old else 0, created_at=old.created_at if old else now,
        updated_at=now,
    )  # fmt: skip


async def receive_event(
    context: Context, document: dict[str, Any], sender: Account
) -> Event | None:
    """Store (or, for an Update, change) a remote event; None when nobody here cares."""
    parsed = event_from_ap(document)
    _check_origin(context, parsed, sender)
    organiser = await _known(context, parsed.organiser_uri, sender)
    group = await _known(context, parsed.group_uri, sender)
    async with context.db.read() as conn:
        old = await event_rows.get_by_uri(conn, parsed.uri)
    known = [a.id for a in (organiser, group) if a is not None]
    if old is None and not await _relevant(context, known):
        return None  # nobody here follows them: not kept (nor by an Update), nothing fetched
    organiser = await _fetched(context, parsed.organiser_uri, organiser)
    if parsed.group_uri is not None:
        group = await _fetched(context, parsed.group_uri, group)
    if old is not None and (old.is_local or old.organiser_id != organiser.id):
        raise InvalidActivity("only the event's organiser can change it")
    event = _event(parsed, organiser, group, old)

    def write(conn: Connection) -> None:
        if old is None:
            event_rows.insert_event(conn, event)
        else:
            event_rows.update_event(conn, event)

    await context.db.write(write)
    log.info("event %s %s from %s", event.uri, "updated" if old else "stored", sender.uri)
    return event


def _announced_event_uri(announce: dict[str, Any]) -> str | None:
    """The event a space's Announce carries: Announce{Create|Update{Event}} or Announce{Event},
    when it is embedded with its type (a bare id is taken as a post)."""
    obj = announce.get("object")
    if isinstance(obj, dict) and obj.get("type") in ("Create", "Update"):
        obj = obj.get("object")
    return uri_of(obj) if is_event(obj) else None


async def receive_announced_event(
    context: Context, announce: dict[str, Any], announcer: Account
) -> bool:
    """A space (or organiser) sharing one of its events (FEP-1b12, as Mobilizon relays a
    group's events): the event is fetched again from its origin, never believed as embedded,
    and stored or updated. False when the Announce carries no event."""
    uri = _announced_event_uri(announce)
    if uri is None:
        return False
    try:
        document = await fetch_document(context, uri)
    except DereferenceError as exc:
        log.info("announced event %s could not be fetched: %s", uri, exc)
        return True
    if uri_of(document.get("id")) != uri or not is_event(document):
        raise InvalidActivity("the announced object is not that event")
    await receive_event(context, document, announcer)
    return True


async def receive_event_delete(context: Context, uri: str, sender: Account) -> bool:
    """Delete of a remote event by its organiser or space: it goes, with its registrations.
    False when the uri is no event here."""
    async with context.db.read() as conn:
        event = await event_rows.get_by_uri(conn, uri)
    if event is None:
        return False
    if event.is_local or sender.id not in (event.organiser_id, event.group_id):
        raise InvalidActivity("only the event's organisers can delete it")
    await context.db.write(lambda conn: event_rows.delete_event(conn, event.id))
    return True
