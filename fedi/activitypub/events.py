"""Events as ActivityStreams `Event` objects, in the shape Mobilizon sends and reads (events.md
§1, FEP-8a8e), both ways: event_to_ap for ours, event_from_ap for theirs (sanitised, bounded).
The meeting link is never part of the object: it goes to accepted participants only, in the
Accept of their Join (fedi.activitypub.participation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fedi.activitypub.parse import InvalidActivity, addresses, is_public, text, uri_of, uris
from fedi.activitypub.vocab import AS_CONTEXT, GROUP_NAMESPACE, PUBLIC
from fedi.core.html import plain_text, sanitize
from fedi.core.models import Account
from fedi.core.timeutil import to_ap
from fedi.db.events import Event

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_ZONE = 64

# The compact terms Mobilizon emits and reads literally (events.md §1), and ours.
EVENT_EXTENSIONS: dict[str, Any] = {
    "sc": "http://schema.org#",
    "mz": "https://joinmobilizon.org/ns#",
    "ical": "http://www.w3.org/2002/12/cal/ical#",
    "toot": "http://joinmastodon.org/ns#",
    "nb": GROUP_NAMESPACE,
    "joinMode": "mz:joinMode",
    "timezone": "mz:timezone",
    "isOnline": "mz:isOnline",
    "participantCount": "mz:participantCount",
    "anonymousParticipationEnabled": "mz:anonymousParticipationEnabled",
    "participationMessage": "mz:participationMessage",
    "repliesModerationOption": "mz:repliesModerationOption",
    "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
    "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
    "inLanguage": "sc:inLanguage",
    "eventStatus": "sc:eventStatus",
    "VirtualLocation": "sc:VirtualLocation",
    "status": {"@id": "ical:status", "@type": "ical:status"},
    "meetingUrl": {"@id": "nb:meetingUrl", "@type": "@id"},
}
EVENT_CONTEXT: list[Any] = [AS_CONTEXT, EVENT_EXTENSIONS]
JOIN_MODES_OUT = {"open": "free", "approval": "restricted", "external": "external", "none": "none"}
JOIN_MODES_IN = {"free": "open", "restricted": "approval", "external": "external"}


def local_time(moment: datetime, zone: str) -> str:
    """ISO 8601 at the offset of the event's own zone, as Mobilizon renders startTime."""
    try:
        return moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
    except (ZoneInfoNotFoundError, ValueError):
        return to_ap(moment)


def event_addressing(
    organiser: Account, group: Account | None, is_public_event: bool
) -> tuple[list[str], list[str]]:
    """A public event: to Public, cc the organiser's (and its space's) followers. An event of a
    members-only space: to the space's followers only, never Public (events.md §1)."""
    if not is_public_event:
        return [group.followers_uri or ""] if group else [], []
    cc = [organiser.followers_uri or ""]
    if group is not None:
        cc.append(group.followers_uri or "")
    return [PUBLIC], [c for c in cc if c]


def event_to_ap(
    event: Event, organiser: Account, group: Account | None, participant_count: int,
    *, with_context: bool = True,
) -> dict[str, Any]:  # fmt: skip
    to, cc = event_addressing(organiser, group, event.is_public)
    starts = local_time(event.starts_at, event.time_zone)
    document: dict[str, Any] = {
        "id": event.uri,
        "type": "Event",
        "url": event.url or event.uri,
        "name": event.title,
        # Mastodon drops `content` and shows name, summary and a link (events.md §4).
        "summary": f"{starts} ({event.time_zone})",
        "content": event.description,
        "mediaType": "text/html",
        "startTime": starts,
        "endTime": local_time(event.ends_at, event.time_zone),
        "timezone": event.time_zone,
        "joinMode": JOIN_MODES_OUT.get(event.join_mode, "free"),
        "participantCount": participant_count,
        "isOnline": bool(event.online_url),
        "anonymousParticipationEnabled": False,
        "repliesModerationOption": "closed",
        "status": "CANCELLED" if event.is_cancelled else "CONFIRMED",
        "eventStatus": "EventCancelled" if event.is_cancelled else "EventScheduled",
        "attributedTo": group.uri if group else organiser.uri,
        "actor": organiser.uri,
        "published": to_ap(event.created_at),
        "updated": to_ap(event.updated_at),
        "to": to,
        "cc": cc,
    }
    if event.online_url:
        # Where to go, not the meeting link itself: the event's own page (FEP-8a8e).
        document["location"] = {
            "type": "VirtualLocation", "name": "Online", "url": event.url or event.uri,
        }  # fmt: skip
    if event.capacity is not None:
        document["maximumAttendeeCapacity"] = event.capacity
        document["remainingAttendeeCapacity"] = max(event.capacity - participant_count, 0)
    if event.language:
        document["inLanguage"] = event.language
        document["contentMap"] = {event.language: event.description}
    if group is not None:
        document["audience"] = group.uri
    if with_context:
        document = {"@context": EVENT_CONTEXT, **document}
    return document


@dataclass(frozen=True)
class RemoteEvent:
    """A received Event, sanitised and bounded."""

    uri: str
    url: str | None
    organiser_uri: str
    group_uri: str | None
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    language: str | None
    join_mode: str
    capacity: int | None
    remaining: int | None
    participant_count: int | None
    is_cancelled: bool
    is_public: bool
    to: tuple[str, ...]


def _time(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidActivity(f"an Event needs a {name}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidActivity(f"the Event's {name} is not a date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # floating: read as UTC


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return min(value, 10_000_000)


def zone_or_utc(value: Any) -> str:
    name = text(value, MAX_ZONE)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name or "UTC"


def event_from_ap(document: dict[str, Any]) -> RemoteEvent:
    uri = uri_of(document.get("id"))
    if uri is None:
        raise InvalidActivity("the Event has no id")
    attributed = uris(document.get("attributedTo"), 4)
    organiser = uri_of(document.get("actor")) or (attributed[0] if attributed else None)
    if organiser is None:
        raise InvalidActivity("the Event has no organiser")
    group = next((a for a in attributed if a != organiser), None)
    starts = _time(document.get("startTime"), "startTime")
    ends = _time(document.get("endTime"), "endTime") if document.get("endTime") else starts
    status = str(document.get("status") or document.get("ical:status") or "")
    addressed = [*addresses(document, "to"), *addresses(document, "cc")]
    language = text(document.get("inLanguage"), 16) or None
    title = plain_text(text(document.get("name"), MAX_TITLE * 4))[:MAX_TITLE].strip()
    return RemoteEvent(
        uri=uri, url=uri_of(document.get("url")) or uri, organiser_uri=organiser,
        group_uri=group, title=title or uri,
        description=sanitize(text(document.get("content"), MAX_DESCRIPTION)),
        starts_at=starts, ends_at=max(ends, starts),
        time_zone=zone_or_utc(document.get("timezone")), language=language,
        join_mode=JOIN_MODES_IN.get(str(document.get("joinMode") or "free"), "none"),
        capacity=_count(document.get("maximumAttendeeCapacity")) or None,
        remaining=_count(document.get("remainingAttendeeCapacity")),
        participant_count=_count(document.get("participantCount")),
        is_cancelled=status.upper() == "CANCELLED"
        or document.get("eventStatus") == "EventCancelled",
        is_public=is_public(addressed), to=tuple(addresses(document, "to")),
    )  # fmt: skip
