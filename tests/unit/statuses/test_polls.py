"""Poll limits (Mastodon's PollValidator rules) and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fedi.core.models import is_expired
from fedi.statuses.polls import (
    MAX_CHARACTERS_PER_OPTION,
    MAX_EXPIRATION,
    MIN_EXPIRATION,
    PollError,
    PollRequest,
    new_poll,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_a_valid_poll_starts_with_no_votes_and_ends_after_expires_in() -> None:
    poll = new_poll(PollRequest(("A", "B"), 600, is_multiple=True, hide_totals=True), NOW)
    assert [(o.title, o.votes) for o in poll.options] == [("A", 0), ("B", 0)]
    assert poll.expires_at == NOW + timedelta(seconds=600)
    assert poll.voters_count == 0 and poll.is_multiple and poll.hide_totals
    assert not is_expired(poll, NOW + timedelta(seconds=599))
    assert is_expired(poll, NOW + timedelta(seconds=600))


@pytest.mark.parametrize(
    ("options", "expires_in", "message"),
    [
        (("A",), 600, "more than one item"),
        (("A", "B", "C", "D", "E"), 600, "more than 4 items"),
        (("A", "x" * (MAX_CHARACTERS_PER_OPTION + 1)), 600, "longer than 50"),
        (("A", ""), 600, "blank"),
        (("A", "A"), 600, "duplicate"),
        (("A", "B"), MIN_EXPIRATION - 1, "too soon"),
        (("A", "B"), MAX_EXPIRATION + 1, "too far"),
    ],
)
def test_polls_outside_the_limits_are_refused(
    options: tuple[str, ...], expires_in: int, message: str
) -> None:
    with pytest.raises(PollError, match=message):
        new_poll(PollRequest(options, expires_in), NOW)


def test_the_limits_themselves_are_allowed() -> None:
    widest = tuple(f"{i}".ljust(MAX_CHARACTERS_PER_OPTION, "x") for i in range(4))
    assert len(new_poll(PollRequest(widest, MAX_EXPIRATION), NOW).options) == 4
    assert new_poll(PollRequest(("A", "B"), MIN_EXPIRATION), NOW).expires_at is not None
