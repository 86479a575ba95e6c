"""The queue of one delivery round: it hands the next delivery to whichever of the worker's
lanes asks, skipping those whose host already has its share of requests in flight (they go as
soon as one of that host's requests ends), so a host with many deliveries holds up no lane and no
other host, and needs no semaphore per host."""

from __future__ import annotations

from collections import deque

from fedi.db.outbox_activities import DeliveryRow
from fedi.federation.signing import Signer

Item = tuple[DeliveryRow, bytes, Signer]  # a delivery, its body and its signer


class Lanes:
    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._ready: deque[Item] = deque()
        self._waiting: dict[str, deque[Item]] = {}
        self._in_flight: dict[str, int] = {}
        self._count = 0

    def __len__(self) -> int:
        """How many deliveries were added (how many lanes could be busy at once at most)."""
        return self._count

    def add(self, row: DeliveryRow, payload: bytes, signer: Signer) -> None:
        self._ready.append((row, payload, signer))
        self._count += 1

    def take(self) -> Item | None:
        """The next delivery whose host has room, counted as in flight; None when the rest
        (if any) wait for requests already in flight, whose lanes will take them."""
        while self._ready:
            item = self._ready.popleft()
            host = item[0].host
            busy = self._in_flight.get(host, 0)
            if busy >= self.per_host:
                self._waiting.setdefault(host, deque()).append(item)
                continue
            self._in_flight[host] = busy + 1
            return item
        return None

    def done(self, row: DeliveryRow) -> None:
        """A request to row's host ended: the host's next waiting delivery is ready first."""
        host = row.host
        self._in_flight[host] -= 1
        waiting = self._waiting.get(host)
        if waiting:
            self._ready.appendleft(waiting.popleft())
            if not waiting:
                del self._waiting[host]
