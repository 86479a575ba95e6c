"""The retry schedule and the circuit breaker's pauses, and the README's account of them."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest

from outbox.retry import (
    BASE,
    BREAKER_CEILING,
    BREAKER_THRESHOLD,
    CEILING,
    JITTER,
    MAX_ATTEMPTS,
    backoff,
    backoff_plain,
    breaker_open_for,
    give_up_after,
    is_final_status,
    retry_horizon,
)

README = Path(__file__).resolve().parents[3] / "README.md"


def test_backoff_doubles_up_to_a_ceiling() -> None:
    assert [backoff_plain(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff_plain(20) == timedelta(hours=12)


def test_retries_span_about_two_and_a_half_days_as_mastodon_does() -> None:
    # Mastodon: 16 attempts over about 2.6 days; the design notes ask for 2 to 3 days.
    assert timedelta(days=2.5) < retry_horizon() < timedelta(days=3)
    assert MAX_ATTEMPTS >= 10


def test_readme_states_the_schedule_the_code_follows() -> None:
    sending = next(line for line in _federation_bullets() if line.startswith("- **Sending.**"))
    found = re.search(
        r"(\d+) minutes? doubling to (\d+) hours, (\d+) attempts over about ([\d.]+) days",
        sending,
    )
    assert found is not None, sending
    base, ceiling, attempts, days = found.groups()
    assert timedelta(minutes=int(base)) == BASE
    assert timedelta(hours=int(ceiling)) == CEILING
    assert int(attempts) == MAX_ATTEMPTS
    # "about X days": the horizon (without jitter) rounds to X at the precision written.
    horizon_days = retry_horizon() / timedelta(days=1)
    assert round(horizon_days, len(days.partition(".")[2])) == float(days), horizon_days


def test_readme_states_the_breaker_the_code_follows() -> None:
    sending = next(line for line in _federation_bullets() if line.startswith("- **Sending.**"))
    found = re.search(r"(\d+) delivery rounds in a row.*?up to (\d+) minutes", sending)
    assert found is not None, sending
    assert int(found.group(1)) == BREAKER_THRESHOLD
    assert timedelta(minutes=int(found.group(2))) == BREAKER_CEILING


def _federation_bullets() -> list[str]:
    """The bullets of README's "## Federation" section, each joined onto one line."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Federation\n", 1)[1].split("\n## ", 1)[0]
    return [" ".join(b.split()) for b in re.split(r"\n(?=- )", section.strip())]


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


def test_breaker_opens_after_repeated_failed_rounds_and_doubles_its_pause_to_a_ceiling() -> None:
    assert [breaker_open_for(n) for n in range(BREAKER_THRESHOLD)] == [None] * BREAKER_THRESHOLD
    pauses = [breaker_open_for(BREAKER_THRESHOLD + n) for n in range(7)]
    assert pauses == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 15, 15)]
    assert breaker_open_for(10_000) == BREAKER_CEILING
    # A recovered host waits at most the ceiling for its probe: minutes, not an hour.
    assert timedelta(minutes=30) >= BREAKER_CEILING


def test_a_held_back_delivery_is_given_up_when_its_retries_would_have_ended() -> None:
    longest = sum((backoff_plain(n) * (1 + JITTER) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert give_up_after() == longest
    assert give_up_after() < timedelta(days=3.5)
