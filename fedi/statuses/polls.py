"""Polls as members create them: the limits (Mastodon's, announced in instance v2
`configuration.polls`), the checked request, and the Poll stored with the post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fedi.core.models import Poll, PollOption
from fedi.core.validation import Invalid

OPTIONS, EXPIRES = "poll.options", "poll.expires_at"  # Mastodon's Poll attributes

MAX_OPTIONS = 4
MAX_CHARACTERS_PER_OPTION = 50
MIN_EXPIRATION = 300  # seconds
MAX_EXPIRATION = 2_629_746  # one month
LIMITS = {
    "max_options": MAX_OPTIONS,
    "max_characters_per_option": MAX_CHARACTERS_PER_OPTION,
    "min_expiration": MIN_EXPIRATION,
    "max_expiration": MAX_EXPIRATION,
}


class PollError(Invalid):
    """The poll cannot be created; the problem says why in Mastodon's words (a 422 for apps)."""


@dataclass(frozen=True)
class PollRequest:
    options: tuple[str, ...]
    expires_in: int
    is_multiple: bool = False
    hide_totals: bool = False


def check_poll(request: PollRequest) -> None:
    """Mastodon's PollValidator rules."""
    if len(request.options) < 2:
        raise PollError.of(OPTIONS, "ERR_TOO_SHORT", "must have more than one item")
    if len(request.options) > MAX_OPTIONS:
        raise PollError.of(OPTIONS, "ERR_TOO_LONG", f"can't contain more than {MAX_OPTIONS} items")
    if any(not option for option in request.options):
        raise PollError.of(OPTIONS, "ERR_BLANK", "can't be blank")
    if any(len(option) > MAX_CHARACTERS_PER_OPTION for option in request.options):
        raise PollError.of(
            OPTIONS, "ERR_TOO_LONG",
            f"cannot be longer than {MAX_CHARACTERS_PER_OPTION} characters each",
        )  # fmt: skip
    if len(set(request.options)) != len(request.options):
        raise PollError.of(OPTIONS, "ERR_INVALID", "contain duplicate items")
    if request.expires_in < MIN_EXPIRATION:
        raise PollError.of(EXPIRES, "ERR_INVALID", "is too soon")
    if request.expires_in > MAX_EXPIRATION:
        raise PollError.of(EXPIRES, "ERR_INVALID", "is too far into the future")


def new_poll(request: PollRequest, now: datetime) -> Poll:
    check_poll(request)
    return Poll(
        options=tuple(PollOption(title, 0) for title in request.options),
        is_multiple=request.is_multiple,
        voters_count=0,
        expires_at=now + timedelta(seconds=request.expires_in),
        hide_totals=request.hide_totals,
    )
