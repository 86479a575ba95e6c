"""When to try a failed delivery again: exponential backoff with jitter over about two and a half
days, and the per-host circuit breaker. Pure functions of attempts and randomness."""

from __future__ import annotations

import random
from datetime import timedelta

# 1 min doubling to a 12 h ceiling: 15 attempts span about 2.7 days (the waits after the first
# 14 failures: 1 + 2 + ... + 512 min, then four times 12 h), close to Mastodon's 16 attempts
# over about 2.6 days. README's "Sending" bullet states these figures; a test holds them to it.
BASE = timedelta(minutes=1)
CEILING = timedelta(hours=12)
MAX_ATTEMPTS = 15
JITTER = 0.25
# After this many failures in a row, a host's circuit opens: its deliveries wait without
# spending attempts, for a time that doubles up to an hour.
BREAKER_THRESHOLD = 5
BREAKER_CEILING = timedelta(hours=1)


def backoff_plain(attempts: int) -> timedelta:
    """The wait after the attempts-th failure (counting from 1), before jitter."""
    delay: timedelta = BASE * (2 ** max(attempts - 1, 0))
    return min(delay, CEILING)


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """backoff_plain spread by +-25 %, so that retries to a host that was down do not all
    arrive at the same moment."""
    return backoff_plain(attempts) * (rng or random).uniform(1 - JITTER, 1 + JITTER)


def is_final_status(status: int) -> bool:
    """A 4xx other than 408 and 429 will not change by retrying."""
    return 400 <= status < 500 and status not in (408, 429)


def breaker_open_for(consecutive_failures: int) -> timedelta | None:
    if consecutive_failures < BREAKER_THRESHOLD:
        return None
    doublings = min(consecutive_failures - BREAKER_THRESHOLD, 16)
    pause: timedelta = timedelta(minutes=1) * 2**doublings
    return min(pause, BREAKER_CEILING)


def retry_horizon() -> timedelta:
    """How long a delivery keeps being retried, without jitter: the waits after each failure
    but the last."""
    return sum((backoff_plain(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
