"""UTC timestamps as stored (ISO-8601 text) and as served (ActivityStreams and Mastodon forms)."""

from __future__ import annotations

from datetime import UTC, datetime


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
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
