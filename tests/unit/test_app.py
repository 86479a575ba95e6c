"""fedi.app's workers: a singleton loop runs in one process at a time, under its lease, and moves
to another process once the one holding it stops."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from fedi.app import leased
from fedi.context import Context, open_context
from fedi.core.config import Settings
from fedi.db.claims import Claims

LEASE = timedelta(seconds=1)  # renewed every third of a second


async def test_a_singleton_loop_runs_in_one_process_and_moves_when_it_stops(
    settings: Settings,
) -> None:
    ticks: list[str] = []

    async def tick(context: Context, stop: asyncio.Event) -> None:
        while not stop.is_set():
            ticks.append(context.claims.worker)
            await asyncio.sleep(0.02)

    async with open_context(settings) as first, open_context(settings) as second:
        a = replace(first, claims=Claims("a", LEASE))
        b = replace(second, claims=Claims("b", LEASE))
        stop_a, stop_b = asyncio.Event(), asyncio.Event()
        running_a = asyncio.create_task(leased(a, "tick", tick, stop_a))
        await asyncio.sleep(0.1)
        running_b = asyncio.create_task(leased(b, "tick", tick, stop_b))
        await asyncio.sleep(1.5)  # longer than a lease: a keeps renewing it, b keeps waiting
        assert set(ticks) == {"a"}
        stop_a.set()
        await running_a
        ticks.clear()
        await asyncio.sleep(2)  # a's lease lapses, and b takes the loop over
        assert set(ticks) == {"b"}
        stop_b.set()
        await running_b
