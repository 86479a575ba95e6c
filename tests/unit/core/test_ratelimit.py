"""The in-memory limiter: a fixed window per key opened by its first hit, bounded in keys."""

from __future__ import annotations

from fedi.core.ratelimit import RateLimiter, client_key, first_refusal


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_is_reached_at_the_right_count_and_the_window_reopens() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60, clock)
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.remaining("a") == 0
    clock.now += 20
    assert limiter.hit("a") == 40  # seconds until the window opened at the first hit closes
    assert limiter.hit("b") is None  # keys are independent
    clock.now += 40
    assert limiter.hit("a") is None
    assert limiter.remaining("a") == 2
    assert limiter.reset_in("a") == 60


def test_refused_hits_are_not_counted() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60, clock)
    limiter.hit("a")
    for _ in range(10):
        assert limiter.hit("a") is not None
    clock.now += 60
    assert limiter.hit("a") is None


def test_memory_is_bounded_by_forgetting_the_coldest_keys() -> None:
    clock = Clock()
    limiter = RateLimiter(5, 60, clock, max_keys=100)
    for n in range(1000):
        limiter.hit(f"key{n}")
    assert len(limiter._windows) == 100
    assert limiter.remaining("key999") == 4
    clock.now += 61
    limiter.hit("fresh")
    limiter.hit("fresh")
    assert len(limiter._windows) <= 99  # closed windows are dropped as new hits come


def test_first_refusal_counts_nothing_when_one_limit_refuses() -> None:
    clock = Clock()
    small, large = RateLimiter(1, 60, clock), RateLimiter(10, 600, clock)
    assert first_refusal([(small, "k"), (large, "k")]) is None
    refusal = first_refusal([(small, "k"), (large, "k")])
    assert refusal is not None and refusal.limiter is small
    assert large.remaining("k") == 9
    assert refusal.headers()["X-RateLimit-Remaining"] == "0"
    assert refusal.headers()["Retry-After"] == "60"


def test_ipv6_addresses_are_grouped_per_64() -> None:
    assert (
        client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == ("2001:db8:1:2::/64")
    )
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key("192.0.2.1") == "192.0.2.1"
