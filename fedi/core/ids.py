"""Time-ordered 64-bit ids, Mastodon-style: milliseconds since the epoch shifted left 16 bits;
the low 16 bits are the process's tag (10 bits, fedi.db.claims.take_id_tag: the processes
sharing a database make ids in the same millisecond without meeting) and a sequence (6 bits: 64
ids per millisecond, after which a process's ids borrow the next millisecond). Apps compare ids
as numbers (or by length, then lexically), so ids only grow."""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_last = 0
_tag = 0

SEQUENCE_BITS = 6
TAG_BITS = 10
_SEQUENCES = 1 << SEQUENCE_BITS


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


def use_tag(number: int) -> None:
    """The tag of this process's ids from now on (a counter's value: taken modulo 1,024)."""
    global _tag
    with _lock:
        _tag = number % (1 << TAG_BITS)


def new_id(at_ms: int | None = None) -> int:
    """A fresh id with this process's tag; strictly greater than every id this process made
    before."""
    global _last
    ms = at_ms if at_ms is not None else time.time_ns() // 1_000_000
    with _lock:
        tagged = _tag << SEQUENCE_BITS
        made = (ms << 16) | tagged
        if made <= _last:
            # The last id's millisecond (or a later one than asked): its next sequence number,
            # else the next millisecond.
            last_ms, sequence = _last >> 16, (_last & (_SEQUENCES - 1)) + 1
            if sequence == _SEQUENCES:
                last_ms, sequence = last_ms + 1, 0
            made = (last_ms << 16) | tagged | sequence
            if made <= _last:  # the tag changed to a smaller one within the millisecond
                made = ((last_ms + 1) << 16) | tagged
        _last = made
        return made
