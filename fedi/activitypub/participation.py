"""Participation in events, as Mobilizon federates it (events.md §2): Join{event} by the
participant, Accept{Join} or Reject{Join} by the organiser (or its space), Leave{event} to
cancel. Each is addressed to the participant and the organisers only: the list of attendees is
never published. The Accept alone carries the meeting link (`meetingUrl`), and only to the one
participant it accepts."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.events import EVENT_CONTEXT


def join(
    join_id: str, participant_uri: str, event_uri: str, organisers: list[str], message: str = ""
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "@context": EVENT_CONTEXT,
        "id": join_id,
        "type": "Join",
        "actor": participant_uri,
        "object": event_uri,
        "to": organisers,
        "cc": [],
    }
    if message:
        activity["participationMessage"] = message
    return activity


def leave(
    leave_id: str, participant_uri: str, event_uri: str, organisers: list[str]
) -> dict[str, Any]:
    return {
        "@context": EVENT_CONTEXT,
        "id": leave_id,
        "type": "Leave",
        "actor": participant_uri,
        "object": event_uri,
        "to": organisers,
        "cc": [],
    }


def answer(
    kind: str, answer_id: str, organiser_uri: str, join_uri: str, participant_uri: str,
    event_uri: str, meeting_url: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Accept or Reject of a Join, embedding the Join (as Mobilizon does), to the participant
    alone; an Accept may carry the meeting link."""
    activity: dict[str, Any] = {
        "@context": EVENT_CONTEXT,
        "id": answer_id,
        "type": kind,
        "actor": organiser_uri,
        "object": {"id": join_uri, "type": "Join", "actor": participant_uri, "object": event_uri},
        "to": [participant_uri],
        "cc": [],
    }
    if meeting_url and kind == "Accept":
        activity["meetingUrl"] = meeting_url
    return activity
