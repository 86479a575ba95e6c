"""A delivery round's queue: deliveries go in order, never more than the cap to one host at once,
and a host's waiting deliveries go as soon as one of its requests ends, ahead of the rest."""

from __future__ import annotations

import asyncio
import random

from fedi.db.outbox_activities import DeliveryRow
from fedi.federation.signing import Signer
from outbox.lanes import Lanes


async def _sign(
    method: str, url: str, headers: dict[str, str], body: bytes | None
) -> dict[str, str]:
    return {}


SIGN: Signer = _sign


def row(n: int, host: str) -> DeliveryRow:
    return DeliveryRow(n, 1, 1, f"https://{host}/inbox/{n}", host, {}, 0, "")


def test_a_busy_host_waits_without_holding_up_the_others() -> None:
    lanes = Lanes(per_host=2)
    for n, host in enumerate(["a", "a", "a", "b", "a", "c"]):
        lanes.add(row(n, f"{host}.example"), b"{}", SIGN)
    assert len(lanes) == 6
    taken = [lanes.take() for _ in range(4)]
    assert [t[0].id for t in taken if t] == [0, 1, 3, 5]  # 2 and 4 wait: a.example is full
    assert lanes.take() is None
    lanes.done(row(0, "a.example"))
    again = lanes.take()
    assert again is not None and again[0].id == 2  # the host's next one goes first
    assert lanes.take() is None
    lanes.done(row(1, "a.example"))
    last = lanes.take()
    assert last is not None and last[0].id == 4
    assert lanes.take() is None


async def test_lanes_deliver_everything_within_the_caps() -> None:
    rng = random.Random(3)
    hosts = ["a.example"] * 30 + [f"h{n}.example" for n in range(40)]
    rng.shuffle(hosts)
    lanes = Lanes(per_host=3)
    for n, host in enumerate(hosts):
        lanes.add(row(n, host), b"{}", SIGN)
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    delivered: list[int] = []

    async def lane() -> None:
        while (taken := lanes.take()) is not None:
            host = taken[0].host
            in_flight[host] = in_flight.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), in_flight[host])
            await asyncio.sleep(rng.random() / 1000)
            in_flight[host] -= 1
            lanes.done(taken[0])
            delivered.append(taken[0].id)

    await asyncio.gather(*(lane() for _ in range(8)))
    assert sorted(delivered) == list(range(len(hosts)))
    assert max(peak.values()) == 3 == peak["a.example"]
