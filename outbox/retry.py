"""When to try a failed delivery again, and when to stop trying a host for a while: exponential
backoff with jitter over about two and a half days, and the per-host circuit breaker with its
half-open probe. Pure functions of counts, times and randomness; outbox.worker applies them."""

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

# The circuit breaker counts delivery rounds, not requests: a round in which a host failed and
# never answered counts once, however many of its deliveries failed (ten inboxes on one server
# are one outage, not ten), and a round in which it answered resets the count. After
# BREAKER_THRESHOLD failed rounds in a row the circuit opens: the host's deliveries wait without
# spending attempts. When the pause ends, one delivery goes as a probe (half-open): an answer
# closes the circuit and releases the rest at once; another failure opens it again for twice as
# long, up to BREAKER_CEILING. A recovered host thus waits at most BREAKER_CEILING for its mail,
# and a host that stays down costs one request per pause (96 a day at the ceiling). Mastodon
# only gives a domain up after failures on seven different days and then sends nothing until it
# hears from it again; we keep probing so that mail to a server back from a restart or an outage
# is not held back for long.
BREAKER_THRESHOLD = 5
BREAKER_BASE = timedelta(minutes=1)
BREAKER_CEILING = timedelta(minutes=15)
# A round in which a host has failed this many requests and answered none sends it no more (the
# requests already in flight, at most outbox.worker.PER_HOST, end as they will): its remaining
# deliveries wait as if they had failed, without spending an attempt, so a host that is down
# costs a handful of requests per round, not one per queued delivery (and a host that swallows
# connections holds the round up for one deadline, not for one per delivery).
ROUND_FAILURE_LIMIT = 1


def backoff_plain(attempts: int) -> timedelta:
    """The wait after the attempts-th failure (counting from 1), before jitter."""
    delay: timedelta = BASE * (2 ** min(max(attempts - 1, 0), 32))
    return min(delay, CEILING)


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """backoff_plain spread by +-25 %, so that retries to a host that was down do not all
    arrive at the same moment."""
    return backoff_plain(attempts) * (rng or random).uniform(1 - JITTER, 1 + JITTER)


def is_final_status(status: int) -> bool:
    """A 4xx other than 408 and 429 will not change by retrying."""
    return 400 <= status < 500 and status not in (408, 429)


def breaker_open_for(failed_rounds: int) -> timedelta | None:
    """How long a host's circuit stays open after its failed_rounds-th failed round in a row
    (None: still closed). The first pause is BREAKER_BASE; each failed probe doubles it."""
    if failed_rounds < BREAKER_THRESHOLD:
        return None
    doublings = min(failed_rounds - BREAKER_THRESHOLD, 16)
    pause: timedelta = BREAKER_BASE * 2**doublings
    return min(pause, BREAKER_CEILING)


def retry_horizon() -> timedelta:
    """How long a delivery keeps being retried, without jitter: the waits after each failure
    but the last."""
    return sum((backoff_plain(n) for n in range(1, MAX_ATTEMPTS)), timedelta())


def give_up_after() -> timedelta:
    """How old a delivery may grow while its host's circuit keeps it waiting (which spends no
    attempts): the longest its retries could have taken with the most jitter. Past that it
    fails for good, as it would have had its host been failing without the breaker."""
    return retry_horizon() * (1 + JITTER)
