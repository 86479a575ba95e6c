from __future__ import annotations

import random
from datetime import timedelta

import pytest

from outbox.retry import (
    BREAKER_THRESHOLD,
    MAX_ATTEMPTS,
    backoff,
    backoff_plain,
    breaker_open_for,
    is_final_status,
    retry_horizon,
)


def test_backoff_doubles_up_to_a_ceiling() -> None:
    assert [backoff_plain(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff_plain(20) == timedelta(hours=12)


def test_retries_span_about_three_days() -> None:
    assert timedelta(days=2) < retry_horizon() < timedelta(days=3, hours=6)
    assert MAX_ATTEMPTS >= 10


def test_jitter_spreads_retries_within_a_quarter() -> None:
    rng = random.Random(7)
    delays = {backoff(5, rng) for _ in range(50)}
    assert len(delays) > 40
    assert all(timedelta(minutes=12) <= d <= timedelta(minutes=20) for d in delays)


FINAL = {400: True, 401: True, 403: True, 404: True, 410: True, 408: False, 429: False,
         500: False, 502: False, 503: False}  # fmt: skip


@pytest.mark.parametrize(("status", "final"), sorted(FINAL.items()))
def test_only_4xx_other_than_408_and_429_are_final(status: int, final: bool) -> None:
    assert is_final_status(status) is final


def test_breaker_opens_after_repeated_failures_and_caps_its_pause() -> None:
    assert breaker_open_for(BREAKER_THRESHOLD - 1) is None
    assert breaker_open_for(BREAKER_THRESHOLD) == timedelta(minutes=1)
    assert breaker_open_for(BREAKER_THRESHOLD + 2) == timedelta(minutes=4)
    assert breaker_open_for(100) == timedelta(hours=1)
