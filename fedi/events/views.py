"""Events as one viewer sees them (the API and the pages show the same thing): counts, the
viewer's registration, whether they organise it, and the meeting link only for organisers and
accepted registrants. A list is read in a fixed number of statements, never one per event."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Account
from fedi.db import accounts, event_registrations
from fedi.db import events as event_rows
from fedi.db.event_registrations import Registration
from fedi.db.events import Event


@dataclass(frozen=True)
class EventView:
    event: Event
    organiser: Account
    group: Account | None
    participant_count: int
    registration: Registration | None
    is_organiser: bool

    @property
    def state(self) -> str | None:
        return self.registration.state if self.registration else None

    @property
    def remaining(self) -> int | None:
        event = self.event
        if not event.is_local:
            return event.remote_remaining_capacity
        if event.capacity is None:
            return None
        return max(event.capacity - self.participant_count, 0)

    @property
    def online_url(self) -> str | None:
        """The meeting link, for the organisers and accepted registrants only (never else)."""
        if self.event.is_local:
            return self.event.online_url if self.is_organiser or self.state == "accepted" else None
        if self.registration is not None and self.state == "accepted":
            return self.registration.online_url
        return None

    @property
    def may_register(self) -> bool:
        return (
            not self.event.is_cancelled
            and self.event.join_mode in ("open", "approval")
            and self.state in (None, "cancelled")
        )


async def views_of(
    context: Context, events: list[Event], viewer: Account | None
) -> list[EventView]:
    ids = [e.id for e in events]
    people = {e.organiser_id for e in events} | {e.group_id for e in events if e.group_id}
    groups = [e.group_id for e in events if e.group_id]
    async with context.db.read() as conn:
        found = await accounts.get_many(conn, people)
        counts = await event_registrations.accepted_counts(conn, ids)
        mine = await event_registrations.of_account(conn, viewer.id, ids) if viewer else {}
        moderated = await event_rows.moderated_among(conn, viewer.id, groups) if viewer else set()
    views = []
    for event in events:
        organiser = found.get(event.organiser_id)
        if organiser is None:
            continue
        count = counts.get(event.id, 0)
        if not event.is_local and event.remote_participant_count is not None:
            count = event.remote_participant_count
        is_organiser = (
            viewer is not None
            and event.is_local
            and (viewer.id == event.organiser_id or event.group_id in moderated)
        )
        views.append(EventView(
            event, organiser, found.get(event.group_id) if event.group_id else None, count,
            mine.get(event.id), is_organiser,
        ))  # fmt: skip
    return views


async def view_of(context: Context, event: Event, viewer: Account | None) -> EventView:
    views = await views_of(context, [event], viewer)
    if not views:
        raise LookupError("the event's organiser is gone")
    return views[0]
