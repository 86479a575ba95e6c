"""fedi.transport.keepalive.Gate, the pool's per-host and overall caps: places taken without
waiting while there are some, then handed over first come, first served; a waiter that is
cancelled, before or after it was handed a place, neither keeps one nor loses one."""

from __future__ import annotations

import asyncio

from fedi.transport.keepalive import Gate


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_places_are_taken_at_once_then_handed_over_in_order() -> None:
    gate = Gate(2)
    await gate.take()
    await gate.take()
    assert gate.free == 0
    order: list[str] = []

    async def wait(name: str) -> None:
        await gate.take()
        order.append(name)

    waiters = [asyncio.create_task(wait(name)) for name in ("first", "second")]
    await settle()
    assert order == []
    gate.give()
    await settle()
    assert order == ["first"]
    gate.give()
    await settle()
    assert order == ["first", "second"]
    await asyncio.gather(*waiters)
    gate.give()
    gate.give()
    assert gate.free == 2


async def test_a_cancelled_waiter_leaves_its_turn_to_the_next() -> None:
    gate = Gate(1)
    await gate.take()
    cancelled = asyncio.create_task(gate.take())
    served = asyncio.create_task(gate.take())
    await settle()
    cancelled.cancel()
    await settle()
    gate.give()
    await settle()
    assert cancelled.cancelled() and served.done()
    gate.give()
    assert gate.free == 1


async def test_a_waiter_cancelled_once_handed_a_place_passes_it_on() -> None:
    gate = Gate(1)
    await gate.take()
    handed = asyncio.create_task(gate.take())
    nobody = asyncio.create_task(gate.take())
    await settle()
    gate.give()  # handed's place is set, but handed has not run yet
    handed.cancel()
    await settle()
    assert handed.cancelled() and nobody.done()
    gate.give()
    assert gate.free == 1
