"""What a member may give an event (from the API or a form), checked field by field: the title,
start and end in a real IANA time zone, an http(s) meeting link, a capacity, the registration
mode. Every problem is reported at once, per field, as Mastodon's 422 `details` do."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_URL = 2048
MAX_CAPACITY = 1_000_000
MAX_LENGTH = timedelta(days=31)
REGISTRATION_MODES = ("open", "approval")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class EventInvalid(ValueError):
    """The event cannot be saved; `details` names each field and what is wrong with it."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k} {v}" for k, v in details.items()))
        self.details = details


@dataclass(frozen=True)
class EventDraft:
    title: str
    description: str  # plain text, as the member wrote it
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    online_url: str | None
    language: str | None
    capacity: int | None
    join_mode: str


def valid_zone(name: str) -> str | None:
    """The IANA zone name if it is one zoneinfo knows, else None."""
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def valid_url(value: str) -> str | None:
    """An absolute http(s) URL with a host and nothing that could smuggle another scheme or a
    header (security.md F4), else None."""
    if len(value) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return value


def _moment(value: str, zone: str | None) -> datetime | None:
    """ISO 8601; a time without an offset (an HTML datetime-local field) is read in the
    event's zone."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        if zone is None:
            return None
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment


def draft_from(get: Callable[[str], str | None]) -> EventDraft:
    """The draft from named values (`get(name)`: None when absent), or EventInvalid."""
    errors: dict[str, str] = {}
    title = " ".join((get("title") or "").split())
    if not title:
        errors["title"] = "can't be blank"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"is too long (at most {MAX_TITLE} characters)"
    description = (get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"is too long (at most {MAX_DESCRIPTION} characters)"
    zone = valid_zone((get("timezone") or "UTC").strip())
    if zone is None:
        errors["timezone"] = "is not a known IANA time zone"
    starts = _moment(get("start_at") or "", zone)
    ends = _moment(get("end_at") or "", zone)
    # Without a known zone, a time without an offset cannot be read: the zone is the mistake.
    if starts is None and zone is not None:
        errors["start_at"] = "must be a date and time (ISO 8601)"
    if ends is None and zone is not None:
        errors["end_at"] = "must be a date and time (ISO 8601)"
    elif ends is not None and starts is not None and not starts < ends <= starts + MAX_LENGTH:
        errors["end_at"] = "must be after the start, and at most 31 days later"
    online = (get("online_url") or "").strip() or None
    if online is not None and valid_url(online) is None:
        errors["online_url"] = "must be an http or https address"
    capacity = _capacity(get("capacity"), errors)
    mode = (get("registration") or "open").strip()
    if mode not in REGISTRATION_MODES:
        errors["registration"] = "must be open or approval"
    language = (get("language") or "").strip().lower() or None
    if language is not None and not _LANGUAGE.match(language):
        errors["language"] = "must be an ISO 639 language code"
    if errors:
        raise EventInvalid(errors)
    assert starts is not None and ends is not None and zone is not None
    return EventDraft(title, description, starts, ends, zone, online, language, capacity, mode)


def _capacity(value: str | None, errors: dict[str, str]) -> int | None:
    text = (value or "").strip()
    if text in ("", "null", "0"):
        return None  # unlimited
    if not text.isdigit() or not 0 < int(text) <= MAX_CAPACITY:
        errors["capacity"] = f"must be a whole number from 1 to {MAX_CAPACITY}, or empty"
        return None
    return int(text)
