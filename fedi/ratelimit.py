"""In-process rate limits: a sliding window of recent hits per key, bounded in memory.

Keys for clients are addresses, with IPv6 grouped by /64 (one subscriber usually holds a whole
/64, as Mastodon's Rack::Attack rules assume).
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        limit: int,
        period: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str) -> float | None:
        """Seconds until `key` may try again, or None if it may now. Does not count a hit."""
        hits = self._recent(key)
        if hits is not None and len(hits) >= self.limit:
            return max(0.0, hits[0] + self.period - self.clock())
        return None

    def hit(self, key: str) -> float | None:
        """Count one hit; returns None if it was allowed, else seconds until one will be."""
        wait = self.retry_after(key)
        if wait is not None:
            return wait
        hits = self._hits.setdefault(key, deque())
        self._hits.move_to_end(key)
        hits.append(self.clock())
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return None

    def remaining(self, key: str) -> int:
        """Hits `key` may still make in the current window."""
        hits = self._recent(key)
        return self.limit - (len(hits) if hits is not None else 0)

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _recent(self, key: str) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        cutoff = self.clock() - self.period
        while hits and hits[0] <= cutoff:
            hits.popleft()
        return hits


def client_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
