"""In-process rate limits: a count of hits per key in a fixed window, bounded in memory.

As Mastodon's Rack::Attack, a key may make `limit` hits per `period`; here each key's window
opens at its first hit (so a limit is reached at exactly the same count however the clock
falls), and a key costs one small entry whatever the limit. Keys for clients are addresses, with
IPv6 grouped by /64 (one subscriber usually holds a whole /64, as Rack::Attack assumes).
"""

from __future__ import annotations

import functools
import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from fedi.core.timeutil import utcnow

# What the application leaves in the ASGI scope for the limits in front of it
# (fedi/web/rate_limits.py): the member (account id, 0 for none) behind a bearer token it accepted
# (fedi.api.base.authorized), and the signer of an inbox POST it verified (inbox/routes.py).
ACCEPTED_CALLER = "fedi.accepted_caller"
VERIFIED_SIGNER = "fedi.verified_signer"


class RateLimiter:
    def __init__(
        self,
        limit: int,
        period: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self.max_keys = max_keys
        # key -> [window start, hits in it]; least recently hit first.
        self._windows: OrderedDict[str, list[float]] = OrderedDict()

    def retry_after(self, key: str) -> float | None:
        """Seconds until `key` may try again, or None if it may now. Does not count a hit."""
        window = self._current(key)
        if window is not None and window[1] >= self.limit:
            return max(0.0, window[0] + self.period - self.clock())
        return None

    def hit(self, key: str) -> float | None:
        """Count one hit; returns None if it was allowed, else seconds until one will be."""
        window = self._current(key)
        if window is not None and window[1] >= self.limit:
            return max(0.0, window[0] + self.period - self.clock())
        if window is None:
            window = self._windows[key] = [self.clock(), 0]
        window[1] += 1
        self._windows.move_to_end(key)
        self._forget_old()
        return None

    def remaining(self, key: str) -> int:
        """Hits `key` may still make in the current window."""
        window = self._current(key)
        return max(0, self.limit - int(window[1] if window is not None else 0))

    def reset_in(self, key: str) -> float:
        """Seconds until `key`'s window closes (a whole period if it has none)."""
        window = self._current(key)
        if window is None:
            return self.period
        return max(0.0, window[0] + self.period - self.clock())

    def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    def clear(self) -> None:
        self._windows.clear()

    def _current(self, key: str) -> list[float] | None:
        window = self._windows.get(key)
        if window is not None and window[0] + self.period <= self.clock():
            del self._windows[key]
            return None
        return window

    def _forget_old(self) -> None:
        """Drop closed windows at the cold end, and the coldest keys past max_keys."""
        now = self.clock()
        for _ in range(2):
            if not self._windows:
                break
            key, window = next(iter(self._windows.items()))
            if window[0] + self.period > now:
                break
            del self._windows[key]
        while len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)


@dataclass(frozen=True)
class Throttled:
    """A refusal: which limit refused `key`, and for how many seconds."""

    limiter: RateLimiter
    key: str
    wait: float

    def headers(self) -> dict[str, str]:
        return {
            **rate_limit_headers(self.limiter, self.key),
            "Retry-After": str(max(1, math.ceil(self.wait))),
        }


def rate_limit_headers(limiter: RateLimiter, key: str) -> dict[str, str]:
    """Mastodon's X-RateLimit-* headers; the reset is an ISO 8601 time, as Mastodon writes it."""
    reset = utcnow() + timedelta(seconds=limiter.reset_in(key))
    return {
        "X-RateLimit-Limit": str(limiter.limit),
        "X-RateLimit-Remaining": str(limiter.remaining(key)),
        "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
    }


def first_refusal(checks: list[tuple[RateLimiter, str]]) -> Throttled | None:
    """Count one hit against every (limiter, key) unless one of them refuses; the refusal with
    the longest wait is returned and nothing is counted."""
    refusals = [
        Throttled(limiter, key, wait)
        for limiter, key in checks
        if (wait := limiter.retry_after(key)) is not None
    ]
    if refusals:
        return max(refusals, key=lambda refusal: refusal.wait)
    for limiter, key in checks:
        limiter.hit(key)
    return None


@functools.lru_cache(maxsize=4096)
def client_key(address: str) -> str:
    """The key an address is counted under (a pure function of it, so remembered: most
    requests come from addresses seen a moment ago)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
