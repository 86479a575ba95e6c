"""UTC timestamps as stored (ISO-8601 text) and as served (ActivityStreams and Mastodon forms)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_ap(moment: datetime) -> str:
    """ActivityStreams xsd:dateTime in UTC with a Z, whole seconds, as Mastodon sends."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_api(moment: datetime | None) -> str | None:
    """The Mastodon API's form: UTC with milliseconds and a Z (None stays None)."""
    if moment is None:
        return None
    return _api_form(moment)


# A page of statuses, accounts or notifications writes a few dozen times, and mostly the same
# ones from one request to the next (the rows are kept between requests): remembered.
@lru_cache(maxsize=8192)
def _api_form(moment: datetime) -> str:
    # isoformat cuts the fraction to milliseconds (it truncates, as Mastodon's do) and always
    # writes four digits for the year; "+00:00" becomes "Z".
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:23] + "Z"
