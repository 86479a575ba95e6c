"""Time-ordered 64-bit ids, Mastodon-style: milliseconds since the epoch shifted left 16 bits,
plus a sequence. Apps compare ids as numbers (or by length, then lexically), so ids only grow."""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_last = 0


MAX_ID = 2**63 - 1  # ids are SQLite INTEGERs


def parse_id(text: str) -> int | None:
    """An id from a URL or query string; None for anything that cannot be one of ours."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def first_id_at(at_ms: int) -> int:
    """The smallest id that can be made at this millisecond: ids above it are newer."""
    return at_ms << 16


def new_id(at_ms: int | None = None) -> int:
    """A fresh id; strictly greater than every id this process made before."""
    global _last
    base = (at_ms if at_ms is not None else time.time_ns() // 1_000_000) << 16
    with _lock:
        _last = max(base, _last + 1)
        return _last
