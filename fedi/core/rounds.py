"""The background loops' common shape: a round of work, run again and again until the server
stops; at once again while a round found a full batch, else after a pause (which a stop cuts
short). A round's error is logged and the next round tries again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def repeat(
    stop: asyncio.Event, one_round: Callable[[], Awaitable[int]], *, name: str,
    interval: float, full: int | None = None,
) -> None:  # fmt: skip
    """Run `one_round` until `stop`; it returns how much it did, and `full` or more (a batch
    that may have left work behind) runs the next round without a pause."""
    while not stop.is_set():
        try:
            done = await one_round()
        except Exception:  # the loop's top level: log and try again next round
            log.exception("%s: a round failed", name)
            done = 0
        if full is not None and done >= full:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
