"""The API's timestamps: UTC, milliseconds cut (not rounded), a Z, four-digit years."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from fedi.core.timeutil import to_api


def test_the_api_form_is_utc_with_milliseconds_and_a_z() -> None:
    moment = datetime(2026, 12, 8, 1, 51, 17, 123999, tzinfo=UTC)
    assert to_api(moment) == "2026-12-08T01:51:17.123Z"
    assert to_api(datetime(2026, 12, 8, 1, 51, 17, tzinfo=UTC)) == "2026-12-08T01:51:17.000Z"
    assert to_api(None) is None


def test_another_offset_is_written_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert to_api(datetime(2026, 1, 1, 0, 30, 0, 5000, tzinfo=paris)) == "2025-12-31T23:30:00.005Z"


def test_a_year_before_1000_keeps_four_digits() -> None:
    assert to_api(datetime(151, 7, 22, 6, 27, 46, 30451, tzinfo=UTC)) == "0151-07-22T06:27:46.030Z"


def test_any_moment_matches_its_fields() -> None:
    rnd = random.Random(13)
    for _ in range(5000):
        offset = timezone(timedelta(minutes=rnd.randint(-900, 900)))
        moment = datetime(
            rnd.randint(1000, 9998), rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23),
            rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999_999), tzinfo=offset,
        )  # fmt: skip
        utc = moment.astimezone(UTC)
        expected = (
            f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
            f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
        )
        assert to_api(moment) == expected
        assert to_api(moment) == expected  # remembered: the same answer again
